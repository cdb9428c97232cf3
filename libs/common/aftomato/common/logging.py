"""One structlog set-up per process: JSON in containers, console on a terminal, stdlib too.

Every line carries ``component`` (the service), a UTC timestamp, the level, and whatever ids the
current task bound with :func:`bind_ids` (``event_id`` and ``build_id`` per message), so one build
can be followed through every service with one grep. Known secret values are masked on the way out.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from aftomato.common.settings import LogSettings

REDACTED = "**********"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def configure_logging(
    component: str,
    settings: LogSettings,
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Route structlog and the stdlib to one stream (default stderr), rendered alike.

    Aftomato's own lines (structlog) go straight to the stream: through the stdlib they cost
    a ``LogRecord``, a handler and the stdlib's JSON encoder, about 30 µs a line against 10, and
    the ingest service writes one per webhook. Libraries' lines (the stdlib) go through a handler
    that renders them with the same processors.
    """
    output = stream or sys.stderr
    level = _LEVELS.get(settings.level, logging.ERROR)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_component(component),
        structlog.processors.StackInfoRenderer(),
    ]
    use_json = settings.format == "json" or (settings.format == "auto" and not output.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=output.isatty())
    )
    masked = {secret for secret in secrets if len(secret) >= 4}
    rendering: list[Processor] = [
        *([structlog.processors.dict_tracebacks] if use_json else []),
        renderer,
        *([_redact(masked)] if masked else []),
    ]
    handler = logging.StreamHandler(output)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, *rendering],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=lambda name=None: _Lines(handler, name),
        cache_logger_on_first_use=False,  # a later configure_logging (tests, `up`) takes effect
    )


class _Lines:
    """Where structlog's rendered lines go: the handler's stream, under the handler's lock, so
    that no line from a library's thread lands inside one of ours. ``name`` is the ``logger``
    of the lines (``add_logger_name`` reads it, as it reads a stdlib logger's)."""

    def __init__(self, handler: logging.StreamHandler[TextIO], name: str | None) -> None:
        self._handler = handler
        self.name = name

    def msg(self, line: str) -> None:
        self._handler.acquire()
        try:
            self._handler.stream.write(line + "\n")
            self._handler.stream.flush()
        except Exception:  # as the stdlib handler does: a log call never raises
            self._handler.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            self._handler.release()

    debug = info = warning = error = critical = exception = msg


def _json_line(event: EventDict, **options: Any) -> str:
    """One JSON line, by orjson; the standard encoder for what orjson refuses (an integer past
    64 bits, a key that is not a string)."""
    try:
        return orjson.dumps(event, default=options.get("default")).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(event, **options)


def _add_component(component: str) -> Processor:
    def add(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
        event.setdefault("component", component)
        return event

    return add


def _redact(secrets: set[str]) -> Processor:
    """Masks every known secret in the rendered line, the last processor: wherever it stood (a
    value, a key, a list, an exception's text), in every form a renderer writes it (as is,
    escaped for JSON, or inside a ``repr``). One search of the line per form, where walking the
    event cost 2 µs a line."""
    forms = sorted({form for secret in secrets for form in _written_forms(secret)}, key=len)

    def redact(_: WrappedLogger, __: str, line: EventDict | str) -> str:
        text = str(line)  # after the renderer, the event is its line
        for form in reversed(forms):  # longest first: no part of a longer form is left
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    return redact


def _written_forms(secret: str) -> set[str]:
    """``secret`` as is and inside a ``repr`` (a value in a list, a stdlib ``%r``), each as is and
    escaped for JSON (by orjson, and by the standard encoder, which escapes what is not ASCII)."""
    forms: set[str] = set()
    for text in (secret, repr(secret)[1:-1]):
        forms |= {text, orjson.dumps(text).decode()[1:-1], json.dumps(text)[1:-1]}
    return forms


def get_logger(name: str | None = None) -> FilteringBoundLogger:
    """A logger whose lines name ``name`` (a module's ``__name__``) as ``logger``."""
    logger: FilteringBoundLogger = structlog.get_logger(name)
    return logger


@contextmanager
def bind_ids(**ids: str | None) -> Iterator[None]:
    """Bind ids (``event_id``, ``build_id``, ...) to every log line of the current task."""
    present = {key: value for key, value in ids.items() if value is not None}
    tokens = structlog.contextvars.bind_contextvars(**present)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
