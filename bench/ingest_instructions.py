"""Instructions per webhook, counted by callgrind: ``aftomato ingest`` against the baseline of
``bench.ingest``, on the same deliveries.

``bench.ingest`` judges the targets; this judges a change to ingest's own work. On a shared
machine the CPU time of the same code moves by a tenth or more from one run to the next (more than
most changes are worth), and instruction counts do not move at all. Each server runs under
valgrind, takes a warm-up, then ``BENCH_REQUESTS`` deliveries 16 at a time between two dumps, and
what it ran in between is divided by the requests. Valgrind's CPU has no SHA extensions, so the
HMAC-SHA256 of the 8.5 KB body is counted as OpenSSL's portable code (about 240k instructions,
against a few microseconds in hardware): the counts are printed by shared object, and the ratio
also without OpenSSL (``libcrypto``).

    python -m bench.ingest_instructions     # needs valgrind (apt-get install valgrind); ~80 s
    BENCH_REQUESTS=3000 python -m bench.ingest_instructions
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench import _callgrind
from bench._load import Deliveries, Round, closed_loop
from bench._queue import SchedulerQueue
from bench._servers import SECRET, Server, start_baseline, start_ingest
from tests.support.servers.rabbitmq import RabbitMQServer

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
WARM_UP = 300
CONCURRENCY = 16
"""Fewer than ``bench.ingest``'s 64: under valgrind a server is some 50 times slower, and 64 in
flight would wait on it long enough to reach the publish timeout."""
START_TIMEOUT = 300.0
OPENSSL = "libcrypto"

Start = Callable[[list[str]], Server]


async def count(name: str, start: Start, queue: SchedulerQueue, root: Path) -> Counter[str]:
    """Instructions per request of the server ``start`` runs, by shared object."""
    output = root / f"{name}.callgrind"
    server = start(_callgrind.wrapper(output))
    deliveries = Deliveries(SECRET, server.port)
    woken = Round()

    async def wake() -> None:
        await deliveries.send(woken)

    try:
        await closed_loop(deliveries, WARM_UP, CONCURRENCY)
        await _callgrind.dump(server.pid, wake)  # part 1: start-up and warm-up
        measured = await closed_loop(deliveries, REQUESTS, CONCURRENCY)
        await _callgrind.dump(server.pid, wake)  # part 2: the requests
        await queue.count_and_purge()
    finally:
        deliveries.close()
        server.stop()
    if measured.accepted != REQUESTS:
        raise RuntimeError(f"{name} answered {measured.statuses} to {REQUESTS} requests")
    # The part also holds some of the wake-up deliveries at its two ends (a delivery or two:
    # 0.1-0.2% at 1,000 requests, the same for both servers).
    counted = _callgrind.instructions_by_object(Path(f"{output}.2"))
    return Counter({obj: round(total / REQUESTS) for obj, total in counted.items()})


def describe(name: str, counts: Counter[str]) -> str:
    parts = ", ".join(f"{obj} {total / 1000:,.0f}k" for obj, total in counts.most_common(6))
    return f"{name:9} {counts.total() / 1000:7,.0f}k instructions a request: {parts}"


async def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-instructions-") as directory:
        root = Path(directory)
        broker = RabbitMQServer(root / "rabbitmq", management=False)
        await asyncio.to_thread(broker.start)
        try:
            url = broker.url()
            queue = await SchedulerQueue.declare(url)
            try:
                ingest = await count(
                    "ingest",
                    lambda wrap: start_ingest(
                        url, "warning", root, wrapper=wrap, start_timeout=START_TIMEOUT
                    ),
                    queue,
                    root,
                )
                baseline = await count(
                    "baseline",
                    lambda wrap: start_baseline(
                        url, root, wrapper=wrap, start_timeout=START_TIMEOUT
                    ),
                    queue,
                    root,
                )
            finally:
                await queue.close()
        finally:
            await asyncio.to_thread(broker.close)
    print(describe("ingest", ingest))
    print(describe("baseline", baseline))
    result = {
        "ingest_instructions": ingest.total(),
        "baseline_instructions": baseline.total(),
        "ratio": ingest.total() / baseline.total(),
        "ratio_without_openssl": (ingest.total() - ingest[OPENSSL])
        / (baseline.total() - baseline[OPENSSL]),
    }
    print(
        f"  ingest runs {result['ratio']:.2f} times the baseline's instructions,"
        f" {result['ratio_without_openssl']:.2f} without {OPENSSL} (SHA-256 in software here)"
    )
    return result


if __name__ == "__main__":
    print(json.dumps({key: round(value, 3) for key, value in asyncio.run(main()).items()}))
