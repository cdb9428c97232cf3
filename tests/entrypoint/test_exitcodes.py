import signal

import pytest

from aftomato.entrypoint.exitcodes import (
    ExitCode,
    Stopped,
    final_exit_code,
    script_exit_code,
)


@pytest.mark.parametrize(
    ("returncode", "stop_signal", "expected"),
    [
        (0, None, 0),
        (3, None, 3),
        (3, signal.SIGTERM, 3),
        (-signal.SIGTERM, signal.SIGTERM, 143),
        (-signal.SIGKILL, signal.SIGTERM, 137),
        (-signal.SIGINT, signal.SIGINT, 130),
        (-signal.SIGSEGV, None, 139),
        (0, signal.SIGTERM, 143),  # a stopped build never reports success
        (0, signal.SIGINT, 130),
    ],
)
def test_script_exit_codes_follow_the_shell(
    returncode: int, stop_signal: int | None, expected: int
) -> None:
    assert script_exit_code(returncode, stop_signal) == expected


def test_an_upload_failure_shows_only_when_the_script_succeeded() -> None:
    assert final_exit_code(0, artifacts_shipped=False) == ExitCode.UPLOAD_FAILED
    assert final_exit_code(0, artifacts_shipped=True) == 0
    assert final_exit_code(3, artifacts_shipped=False) == 3


def test_the_entrypoints_own_codes_are_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
    assert {ExitCode.TERMINATED, ExitCode.KILLED, ExitCode.INTERRUPTED} == {143, 137, 130}


def test_a_stop_outside_the_script_exits_like_a_shell() -> None:
    stopped = Stopped(signal.SIGTERM)
    assert stopped.exit_code == 143
    assert str(stopped) == "stopped by SIGTERM"
