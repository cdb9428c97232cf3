"""The servers ``bench.ingest`` measures, each in its own process, and what /proc tells of them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.support.servers.ports import free_port, is_listening

SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway secret for a private server
START_TIMEOUT = 30.0
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A server process on ``127.0.0.1:port``; its stderr goes to ``log``."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory (``VmRSS``) in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name} (pid {self.pid})")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def idle_cores_seconds() -> float:
    """CPU seconds every core of the machine has spent idle since boot (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return (int(fields[4]) + int(fields[5])) / _TICKS  # idle and iowait


def start_ingest(
    amqp_url: str,
    log_level: str,
    logs: Path,
    *,
    wrapper: Sequence[str] = (),
    start_timeout: float = START_TIMEOUT,
) -> Server:
    """``aftomato ingest`` as it runs in production, JSON logs at ``log_level`` to a file.

    ``wrapper``: a command that runs it (a profiler), with the time it may take to listen."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AFTOMATO_")}
    env |= {
        "AFTOMATO_AMQP_URL": amqp_url,
        "AFTOMATO_WEBHOOK_SECRET": SECRET,
        "AFTOMATO_HTTP_HOST": "127.0.0.1",
        "AFTOMATO_HTTP_PORT": str(port),
        "AFTOMATO_LOG_LEVEL": log_level,
    }
    command = [*wrapper, sys.executable, str(Path(sys.executable).parent / "aftomato"), "ingest"]
    return _start(f"ingest ({log_level} logging)", command, env, port, logs, start_timeout)


def start_baseline(
    amqp_url: str,
    logs: Path,
    *,
    verify: bool = False,
    parse: bool = False,
    wrapper: Sequence[str] = (),
    start_timeout: float = START_TIMEOUT,
) -> Server:
    """The bare handler of ``bench._baseline_ingest``; with ``verify`` it checks each signature
    (with ``SECRET``), with ``parse`` it decodes the body's ref and commit."""
    port = free_port()
    command = [*wrapper, sys.executable, "-m", "bench._baseline_ingest", amqp_url, str(port)]
    name = "baseline"
    if verify:
        command += ["--verify", SECRET]
        name += " +signature"
    if parse:
        command.append("--parse")
        name += " +parse"
    return _start(name, command, dict(os.environ), port, logs, start_timeout)


def _start(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    logs: Path,
    start_timeout: float,
) -> Server:
    log = (logs / f"{name.split()[0]}-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log)
    deadline = time.monotonic() + start_timeout
    while not is_listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            tail = (logs / Path(log.name).name).read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} did not start listening on {port}:\n{tail}")
        time.sleep(0.1)
    return server
