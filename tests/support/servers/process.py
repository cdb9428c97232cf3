"""One server as a child process: start it, wait until it is ready, stop it, show its log.

The child runs in its own session and process group, so a stop reaches every process it forked
(RabbitMQ's start script and the Erlang VM under it). Its output goes to a log file, never to a
pipe: no buffer to fill, no unclosed pipe for ``filterwarnings = error`` to trip on. A start that
fails or takes too long raises :class:`ServerStartError` with the tail of the server's logs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_POLL_SECONDS = 0.05


class ServerStartError(RuntimeError):
    """A test server did not start; the message ends with the tail of its logs."""


class ServerProcess:
    """A child process with its output in ``log_path``; other logs it writes can be named too."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_path: Path,
        extra_logs: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.cwd = cwd
        self.log_path = log_path
        self.extra_logs = list(extra_logs)
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> None:
        """Start the child; it keeps running until :meth:`stop`."""
        if self.is_running():
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        with self.log_path.open("ab") as log:
            log.write(f"--- starting: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_until(self, ready: Callable[[], bool], timeout: float, what: str) -> float:
        """Start the child and wait until ``ready``; stopped again if it never gets there."""
        started = time.monotonic()
        self.start()
        try:
            self.wait_until(ready, timeout, what)
        except BaseException:
            self.stop(grace=10.0)
            raise
        return time.monotonic() - started

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> float:
        """Poll ``ready`` until it returns true; the seconds it took. Fail if the child exits."""
        started = time.monotonic()
        last_error = ""
        while time.monotonic() - started < timeout:
            if self._popen is None or self._popen.poll() is not None:
                code = None if self._popen is None else self._popen.returncode
                raise self.failure(f"exited with code {code} before {what}")
            try:
                if ready():
                    return time.monotonic() - started
            except Exception as error:
                last_error = f" (last error: {error!r})"
            time.sleep(_POLL_SECONDS)
        raise self.failure(f"not {what} after {timeout:.0f} s{last_error}")

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM the process group; SIGKILL it if it has not exited after ``grace`` seconds."""
        popen, self._popen = self._popen, None
        if popen is None:
            return
        if popen.poll() is None:
            self._signal_group(popen.pid, signal.SIGTERM)
            try:
                popen.wait(grace)
            except subprocess.TimeoutExpired:
                self._signal_group(popen.pid, signal.SIGKILL)
                popen.wait(10)
        self._signal_group(popen.pid, signal.SIGKILL)  # anything the leader left behind

    def failure(self, reason: str) -> ServerStartError:
        """An error naming the server, the reason and the tail of every log it writes."""
        tails = "\n".join(_tail(path) for path in [self.log_path, *self.extra_logs])
        return ServerStartError(f"{self.name} {reason}\n{tails}")

    @staticmethod
    def _signal_group(pgid: int, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signum)


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"--- {path}: {error.strerror}"
    return f"--- last {lines} lines of {path}:\n" + "\n".join(text.splitlines()[-lines:])
