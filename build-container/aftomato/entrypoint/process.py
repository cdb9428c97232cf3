"""Run the build script: its own process group, merged output streamed, stop signals forwarded.

The script's stdout and stderr share one pipe, copied to the console in chunks as they arrive
(memory stays flat however much it prints, and a line without a newline is not held back). On
SIGTERM or SIGINT the entrypoint passes the signal to the script's whole process group, waits the
grace period, then kills the group. When the script ends, whatever it left running in its group
is killed, and output from processes that left the group is read for at most a second more.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from aftomato.entrypoint.console import Console

CHUNK_BYTES = 64 * 1024
POLL_SECONDS = 0.1
DRAIN_SECONDS = 1.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

SignalHandler = Callable[[int, FrameType | None], None]


@dataclass(frozen=True)
class ScriptResult:
    returncode: int
    """As ``Popen`` reports it: the exit code, or ``-n`` when killed by signal n."""
    stop_signal: int | None
    """The signal that asked the entrypoint to stop while the script ran, if one did."""


@contextlib.contextmanager
def handling(signals: Sequence[int], handler: SignalHandler) -> Iterator[None]:
    """``handler`` for ``signals`` inside the block; the previous handlers afterwards."""
    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, signal.SIG_DFL if old is None else old)


def run_script(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    grace_seconds: float,
    console: Console,
) -> ScriptResult:
    """Run ``command`` to its end, streaming its output to ``console``."""
    supervisor = _Supervisor(grace_seconds, console)
    read_fd, write_fd = os.pipe()
    with handling(STOP_SIGNALS, supervisor.on_signal), open(read_fd, "rb", buffering=0) as output:
        try:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        try:
            supervisor.pump(process, output.fileno())
        finally:
            supervisor.finish(process, output.fileno())
    return ScriptResult(process.returncode, supervisor.stopped_by())


class _Supervisor:
    """Copies output, acts on stop signals and enforces the grace period, in one loop."""

    def __init__(self, grace_seconds: float, console: Console) -> None:
        self.grace_seconds = grace_seconds
        self.console = console
        self.stop_signal: int | None = None
        self._requested: int | None = None
        self._kill_at: float | None = None

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler only notes the signal; the loop acts on it."""
        self._requested = signum

    def pump(self, process: subprocess.Popen[bytes], fd: int) -> None:
        """Copy output until the script exits (its output may close earlier)."""
        output_open = True
        while not _has_exited(process):
            self._act_on_signals(process)
            if output_open:
                output_open = self._copy_some(fd, POLL_SECONDS)
            else:
                time.sleep(POLL_SECONDS)
        self._act_on_signals(process)  # a signal that came as the script exited still counts

    def finish(self, process: subprocess.Popen[bytes], fd: int) -> None:
        """Kill what the script left in its group, copy the rest of the output, reap."""
        _kill_group(process, signal.SIGKILL)
        deadline = time.monotonic() + DRAIN_SECONDS
        while (left := deadline - time.monotonic()) > 0 and self._copy_some(fd, left):
            pass
        process.wait()

    def stopped_by(self) -> int | None:
        """The stop signal, including one that arrived too late to be passed on."""
        return self._requested if self.stop_signal is None else self.stop_signal

    def _copy_some(self, fd: int, timeout: float) -> bool:
        """Copy one chunk if one comes within ``timeout``; False once the output is closed."""
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(fd, CHUNK_BYTES)
        self.console.copy(chunk)
        return bool(chunk)

    def _act_on_signals(self, process: subprocess.Popen[bytes]) -> None:
        now = time.monotonic()
        if self._requested is not None:
            signum, self._requested = self._requested, None
            self._stop(process, signum, now)
        if self._kill_at is not None and now >= self._kill_at:
            self._kill_at = None
            self.console.say("the build script is still running: killing it (SIGKILL)")
            _kill_group(process, signal.SIGKILL)

    def _stop(self, process: subprocess.Popen[bytes], signum: int, now: float) -> None:
        name = signal.Signals(signum).name
        if self.stop_signal is not None:
            self.console.say(f"received {name} again: killing the build script now")
            self._kill_at = now
            return
        self.stop_signal = signum
        self._kill_at = now + self.grace_seconds
        self.console.say(
            f"received {name}: passing it on to the build script, which has"
            f" {self.grace_seconds:g} s to stop before it is killed"
        )
        _kill_group(process, signum)


def _has_exited(process: subprocess.Popen[bytes]) -> bool:
    """True once the script has exited; it is not reaped, so its group id stays reserved."""
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    return os.waitid(os.P_PID, process.pid, flags) is not None


def _kill_group(process: subprocess.Popen[bytes], signum: int) -> None:
    if process.returncode is None:  # reaped: its group id may belong to someone else by now
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
