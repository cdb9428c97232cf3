"""Running the script: streaming, stop signals, the grace period, what the script leaves behind."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.entrypoint.sandbox import CHUNK, MEASURING_LAUNCHER, Sandbox, finish, read_until

FIFTY_MEGABYTES = 50 * 1024 * 1024
MAX_RSS_BYTES = 60 * 1024 * 1024


def test_output_is_streamed_as_it_comes_without_waiting_for_a_newline(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "printf 'no newline yet'\nsleep 60\n")
    with sandbox.start() as process:
        read_until(process, b"no newline yet", within=10)  # while the script still runs
        process.send_signal(signal.SIGTERM)
        finished = finish(process, b"", time.monotonic())
    assert finished.exit_code == 143
    assert finished.text.startswith("\n[aftomato] received SIGTERM")  # on a line of its own


def test_stdout_and_stderr_are_merged_in_order(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "echo one; echo two >&2; echo three\n")
    finished = sandbox.run()
    assert "one\ntwo\nthree\n" in finished.text


@pytest.mark.parametrize(("signum", "expected"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_reaches_the_script(sandbox: Sandbox, signum: int, expected: int) -> None:
    sandbox.write_script("demo/project", "echo ready\nsleep 60\n")
    with sandbox.start(AFTOMATO_KILL_GRACE_SECONDS="30") as process:
        seen = read_until(process, b"ready\n")
        started = time.monotonic()
        process.send_signal(signum)
        finished = finish(process, seen, started)
    assert finished.exit_code == expected, finished.text
    assert finished.seconds < 5  # stopped by the signal, not by the 30 s kill
    name = signal.Signals(signum).name
    assert any(line.startswith(f"received {name}: passing it on") for line in finished.marked())
    assert "artifacts not uploaded: the build was stopped" in finished.marked()


def test_a_script_that_ignores_sigterm_is_killed_after_the_grace_period(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "trap '' TERM\necho ready\nsleep 60\necho survived\n")
    with sandbox.start(AFTOMATO_KILL_GRACE_SECONDS="1") as process:
        seen = read_until(process, b"ready\n")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        finished = finish(process, seen, started)
    assert finished.exit_code == 137, finished.text
    assert 1.0 <= finished.seconds < 5.0
    assert "the build script is still running: killing it (SIGKILL)" in finished.marked()
    assert "survived" not in finished.text


def test_a_second_signal_kills_at_once(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "trap '' TERM INT\necho ready\nsleep 60\n")
    with sandbox.start(AFTOMATO_KILL_GRACE_SECONDS="60") as process:
        seen = read_until(process, b"ready\n")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        seen += read_until(process, b"passing it on")
        process.send_signal(signal.SIGINT)
        finished = finish(process, seen, started)
    assert finished.exit_code == 137, finished.text
    assert finished.seconds < 5
    assert "received SIGINT again: killing the build script now" in finished.marked()


def test_a_stopped_script_that_exits_zero_does_not_succeed(sandbox: Sandbox) -> None:
    script = "trap 'echo cleaning up; exit 0' TERM\necho ready\nsleep 60 &\nwait $!\n"
    sandbox.write_script("demo/project", script)
    with sandbox.start() as process:
        seen = read_until(process, b"ready\n")
        process.send_signal(signal.SIGTERM)
        finished = finish(process, seen, time.monotonic())
    assert finished.exit_code == 143, finished.text
    assert "cleaning up\n" in finished.text
    assert "build.sh exited with code 0 after it was asked to stop" in finished.marked()


def test_processes_the_script_leaves_running_are_killed(sandbox: Sandbox) -> None:
    pid_file = sandbox.root / "pid"
    sandbox.write_script("demo/project", 'sleep 300 &\nprintf \'%s\' "$!" > "$PID_FILE"\n')
    finished = sandbox.run(PID_FILE=str(pid_file))
    assert finished.exit_code == 0, finished.text
    assert finished.seconds < 10
    assert _gone_within(int(pid_file.read_text()), seconds=5)


def test_output_from_a_process_that_left_the_group_does_not_hold_the_build(
    sandbox: Sandbox,
) -> None:
    pid_file = sandbox.root / "pid"
    script = 'setsid sleep 300 &\nprintf \'%s\' "$!" > "$PID_FILE"\necho done\n'
    sandbox.write_script("demo/project", script)
    try:
        finished = sandbox.run(PID_FILE=str(pid_file))
    finally:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert finished.exit_code == 0, finished.text
    assert finished.seconds < 10  # not the escaped sleep's 300 s
    assert "done\n" in finished.text


def test_fifty_megabytes_stream_through_with_flat_memory(sandbox: Sandbox) -> None:
    script = "head -c 52428800 /dev/zero | tr '\\0' '\\001'\necho\necho 'all written'\n"
    sandbox.write_script("demo/project", script)
    peak_file = sandbox.root / "peak-rss"
    count = 0
    tail = b""
    with sandbox.start(launcher=(*MEASURING_LAUNCHER, str(peak_file))) as process:
        assert process.stdout is not None
        while chunk := os.read(process.stdout.fileno(), CHUNK):  # never all 50 MB at once
            count += chunk.count(b"\x01")
            tail = (tail + chunk)[-4096:]
        exit_code = process.wait(timeout=30)
    assert exit_code == 0, tail
    assert count == FIFTY_MEGABYTES
    assert b"\nall written\n[aftomato] build.sh exited with code 0\n" in tail
    assert int(peak_file.read_text()) < MAX_RSS_BYTES


def _gone_within(pid: int, seconds: float) -> bool:
    """True once ``pid`` has exited (a zombie waiting for its reaper counts as gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat")
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in {"Z", "X"}:
            return True
        time.sleep(0.05)
    return False
