"""Aftomato's services as separate processes, run as their containers run them: ``aftomato
<service>`` with its configuration in ``AFTOMATO_*`` variables, ready once ``/readyz`` says so."""

from __future__ import annotations

import asyncio
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers.ports import LOOPBACK, free_port
from tests.support.servers.process import ServerProcess

AFTOMATO = str(Path(sys.executable).parent / "aftomato")
START_SECONDS = 60.0
"""Generous: four Python services start at once on a loaded two-core machine."""


@dataclass
class Service:
    name: str
    port: int
    """Where ``/readyz`` answers: the HTTP port of ingest and api, the health port of the others."""
    process: ServerProcess

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process.pid is not None, f"{self.name} is not running"
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory (``VmRSS``) in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name}")

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.HTTPError):
            return False


def service(name: str, environment: dict[str, str], logs: Path) -> Service:
    """``aftomato <name>`` (not started) on ``environment`` and a free port of its own."""
    port = free_port()
    own = {"AFTOMATO_HTTP_HOST": LOOPBACK, "AFTOMATO_HTTP_PORT": str(port)}
    own["AFTOMATO_HEALTH_PORT"] = str(port if name in {"scheduler", "watcher"} else free_port())
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
    process = ServerProcess(
        f"aftomato {name}",
        [AFTOMATO, name],
        env=inherited | environment | own,
        cwd=logs,
        log_path=logs / f"{name}.log",
    )
    return Service(name, port, process)


async def start(services: list[Service]) -> None:
    """Start them side by side (in threads: the fake API server must go on answering)."""
    await asyncio.gather(
        *(
            asyncio.to_thread(s.process.start_until, s.is_ready, START_SECONDS, "ready")
            for s in services
        )
    )


async def stop(services: list[Service]) -> None:
    await asyncio.gather(*(asyncio.to_thread(s.process.stop, 15.0) for s in services))
