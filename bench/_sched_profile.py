"""Where the scheduler's CPU goes, with py-spy (``BENCH_PY_SPY=/path/to/py-spy``; install it
outside the venv, e.g. ``pip install --target /tmp/pyspy py-spy``).

py-spy samples the scheduler process during one round; samples where the process only waits (the
event loop in ``select``, idle pool threads) are dropped, and each busy sample goes to the first
library, from the innermost frame out, that one of ``CATEGORIES`` names.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

IDLE = ("EpollSelector.select", "_worker (concurrent/futures/thread.py:81)")
CATEGORIES = (
    (
        "kube client: response -> V1Pod models",
        r"ApiClient\.(deserialize|__deserialize)",
    ),
    (
        "kube client: proxy/.netrc look-ups, handed to threads (aiohttp trust_env)",
        r"netrc|get_env_proxy|proxies_from_env|to_thread|run_in_executor|Executor\.submit"
        r"|_WorkItem\.run",
    ),
    ("kube client: the rest (kubernetes_asyncio, aiohttp)", r"kubernetes_asyncio|aiohttp/"),
    ("etcd client (aetcd, grpc.aio, protobuf)", r"grpc|aetcd|coordination/etcd|protobuf"),
    ("bus (aio-pika, aiormq, pamqp)", r"aio_pika|aiormq|pamqp"),
    ("pydantic models, JSON", r"pydantic|json/"),
    ("pod manifest", r"scheduler/manifests|scheduler/labels"),
)
OTHER = "the rest (event loop, scheduler logic, logging)"


class Profiler:
    """``py-spy record`` of one process for a while, into ``raw`` (collapsed stacks)."""

    def __init__(self, py_spy: str, raw: Path) -> None:
        self._py_spy = py_spy
        self.raw = raw
        self._process: asyncio.subprocess.Process | None = None

    async def start(self, pid: int, seconds: float) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self._py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "100",
            "--nonblocking", "--duration", str(max(int(seconds), 1)), "--output", str(self.raw),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    async def report(self) -> str:
        """Busy samples by category, once py-spy is done."""
        if self._process is None or await self._process.wait() != 0 or not self.raw.exists():
            return "py-spy recorded nothing (can it attach to the process?)"
        shares, busy = categorise(self.raw.read_text())
        lines = [f"  {100 * n / max(busy, 1):5.1f}% {name}" for name, n in shares.most_common()]
        return f"py-spy: {busy} busy samples of the scheduler; raw stacks in {self.raw}\n" + (
            "\n".join(lines)
        )


def categorise(collapsed: str) -> tuple[Counter[str], int]:
    """Busy samples per category, and how many busy samples there were."""
    shares: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not stack or frames[-1].startswith(IDLE):
            continue
        shares[_category(frames)] += int(count)
    return shares, sum(shares.values())


def _category(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in CATEGORIES:
            if re.search(pattern, frame):
                return name
    return OTHER
