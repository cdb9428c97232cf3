"""One structlog set-up per process: JSON in containers, console on a terminal, stdlib too.

Every line carries ``component`` (the service), a UTC timestamp, the level, and whatever ids the
current task bound with :func:`bind_ids` (``event_id`` and ``build_id`` per message), so one build
can be followed through every service with one grep. Known secret values are masked on the way out.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

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
    """Route structlog and the stdlib through one handler on ``stream`` (default stderr)."""
    output = stream or sys.stderr
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_component(component),
        structlog.processors.StackInfoRenderer(),
    ]
    use_json = settings.format == "json" or (settings.format == "auto" and not output.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=output.isatty())
    )
    finishing: list[Processor] = [structlog.processors.dict_tracebacks] if use_json else []
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *finishing,
            _redact({s for s in secrets if len(s) >= 4}),
            renderer,
        ],
    )
    handler = logging.StreamHandler(output)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS.get(settings.level, logging.ERROR))
    structlog.configure(
        # Dropping lines below the level first keeps a disabled log call nearly free.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _add_component(component: str) -> Processor:
    def add(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
        event.setdefault("component", component)
        return event

    return add


def _redact(secrets: set[str]) -> Processor:
    def redact(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
        if secrets:
            _scrub(event, secrets)
        return event

    return redact


def _scrub(values: MutableMapping[str, Any], secrets: set[str]) -> None:
    for key, value in values.items():
        if isinstance(value, str):
            for secret in secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            values[key] = value
        elif isinstance(value, MutableMapping):
            _scrub(value, secrets)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
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
