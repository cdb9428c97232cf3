import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from aftomato.common.logging import REDACTED, bind_ids, configure_logging, get_logger
from aftomato.common.settings import LogSettings


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("scheduler", LogSettings(format="json"), secrets=["hunter22"], stream=stream)
    yield stream
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_lines_are_json_with_the_component_and_bound_ids(output: io.StringIO) -> None:
    with bind_ids(event_id="e1", build_id="b1", absent=None):
        get_logger("test").info("lock taken", branch="main")
    get_logger("test").info("after")
    first, second = lines(output)
    assert first["event"] == "lock taken"
    assert first["component"] == "scheduler"
    assert (first["event_id"], first["build_id"], first["branch"]) == ("e1", "b1", "main")
    assert "absent" not in first
    assert first["level"] == "info"
    assert "timestamp" in first
    assert "build_id" not in second


def test_stdlib_loggers_go_through_the_same_setup(output: io.StringIO) -> None:
    with bind_ids(build_id="b2"):
        logging.getLogger("aiohttp.access").warning("from the stdlib %s", "too")
    (line,) = lines(output)
    assert line["event"] == "from the stdlib too"
    assert line["build_id"] == "b2"
    assert line["component"] == "scheduler"


def test_known_secrets_are_masked_everywhere(output: io.StringIO) -> None:
    get_logger("test").info(
        "connecting with hunter22", url="amqp://u:hunter22@h/", nested={"t": "hunter22"}
    )
    logging.getLogger("other").error("token=%s", "hunter22")
    assert "hunter22" not in output.getvalue()
    assert REDACTED in output.getvalue()


def fail_with_a_secret() -> None:
    raise RuntimeError("refused hunter22")


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_secrets_are_masked_in_lists_keys_exceptions_and_as_escaped(log_format: str) -> None:
    stream = io.StringIO()
    configure_logging(
        "api",
        LogSettings(format=log_format),
        secrets=["hunter22", 'quo"te\\back', "пароль-1"],
        stream=stream,
    )
    try:
        try:
            fail_with_a_secret()
        except RuntimeError:
            get_logger("test").exception(
                "failed",
                tokens=["hunter22", ('quo"te\\back',)],
                by_name={"пароль-1": {"deep": ["пароль-1"]}},
            )
        logging.getLogger("other").error("with %s", ['quo"te\\back'])
        get_logger("test").info("big", id=2**70, secret="пароль-1")  # the standard encoder
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
    written = stream.getvalue()
    as_written = [
        "hunter22",
        'quo"te\\back',  # as is
        'quo\\"te\\\\back',  # in JSON
        'quo\\"te\\\\\\\\back',  # inside a repr, in JSON
        "пароль-1",
        "\\u043f\\u0430\\u0440\\u043e\\u043b\\u044c-1",  # in ASCII-only JSON
    ]
    assert [form for form in as_written if form in written] == []
    assert written.count(REDACTED) >= 7


def test_exceptions_are_structured(output: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        get_logger("test").exception("failed")
    (line,) = lines(output)
    assert "boom" in json.dumps(line["exception"])


def test_console_format_is_plain_text() -> None:
    stream = io.StringIO()
    configure_logging("api", LogSettings(format="console"), stream=stream)
    try:
        get_logger("test").info("hello", build_id="b3")
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
    text = stream.getvalue()
    assert "hello" in text
    assert "build_id" in text
    assert not text.startswith("{")


def test_lines_name_their_logger_and_keep_any_value(output: io.StringIO) -> None:
    get_logger("aftomato.ingest.hooks").info("delivery", builds=({"branch": "é"},), id=2**70)
    (line,) = lines(output)
    assert line["logger"] == "aftomato.ingest.hooks"
    assert line["builds"] == [{"branch": "é"}]
    assert line["id"] == 2**70  # past what orjson writes: the standard encoder writes it


def test_lines_below_the_level_are_dropped() -> None:
    stream = io.StringIO()
    configure_logging("ingest", LogSettings(format="json", level="warning"), stream=stream)
    try:
        get_logger("test").info("dropped")
        logging.getLogger("aiohttp.server").info("dropped too")
        get_logger("test").warning("kept")
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
    assert [line["event"] for line in lines(stream)] == ["kept"]


def test_a_stream_that_fails_does_not_make_a_log_call_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    configure_logging("ingest", LogSettings(format="json"), stream=stream)
    monkeypatch.setattr(logging, "raiseExceptions", False)  # what the stdlib handler then does
    stream.close()
    try:
        get_logger("test").info("lost, not raised")
        logging.getLogger("aiohttp.server").warning("lost too")
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
