"""The entrypoint's exit codes, and the error that carries one out of the program.

A build script's own exit code passes through unchanged. The entrypoint's own outcomes use codes
from 120 up: shell scripts rarely pick them (bash itself uses 126 and 127, and 128 + n means
"killed by signal n"), so a code in 120-123 always means Aftomato, not the project, decided it.
"""

from __future__ import annotations

import signal
from enum import IntEnum

SIGNAL_BASE = 128
"""A process killed by signal n reports 128 + n, as a shell does."""


class ExitCode(IntEnum):
    """Every exit code the entrypoint chooses itself; any other code is the script's."""

    SUCCESS = 0
    """The script exited 0 and its artifacts are in S3 (or upload is off)."""
    PROJECT_REFUSED = 120
    """The project key leads outside the build scripts folder, or the project has no build.sh."""
    UPLOAD_FAILED = 121
    """The script exited 0 but its artifacts could not all be uploaded (the log says why)."""
    INTERNAL_ERROR = 122
    """The entrypoint itself failed; the log holds the traceback."""
    BAD_ENVIRONMENT = 123
    """A variable is missing or malformed, or the workspace or artifacts folder is unusable."""
    INTERRUPTED = SIGNAL_BASE + signal.SIGINT
    """130: stopped by SIGINT (Ctrl-C on a terminal)."""
    KILLED = SIGNAL_BASE + signal.SIGKILL
    """137: the script ignored the stop signal for the whole grace period and was killed."""
    TERMINATED = SIGNAL_BASE + signal.SIGTERM
    """143: stopped by SIGTERM (cancellation, deadline, pod deletion)."""


def script_exit_code(returncode: int, stop_signal: int | None) -> int:
    """The build's exit code from the script's ``Popen.returncode`` (``-n``: killed by signal n).

    A script that was asked to stop and exits 0 anyway reports 128 + the stop signal: a stopped
    build never reports success.
    """
    if returncode < 0:
        return SIGNAL_BASE - returncode
    if returncode == 0 and stop_signal is not None:
        return SIGNAL_BASE + stop_signal
    return returncode


def final_exit_code(script_code: int, artifacts_shipped: bool) -> int:
    """The script's code wins; a failed upload only shows when the script succeeded."""
    if script_code == ExitCode.SUCCESS and not artifacts_shipped:
        return ExitCode.UPLOAD_FAILED
    return script_code


class EntrypointError(Exception):
    """A reason to stop before or instead of running the script; its message goes to the log."""

    exit_code: int = ExitCode.INTERNAL_ERROR


class Stopped(EntrypointError):
    """A stop signal arrived while no script was running (before it started, or during upload)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.exit_code = SIGNAL_BASE + signum
