"""How much of ``bench.ingest``'s 10% the least verifying receiver takes, in the same run.

``bench.ingest`` wants ingest at 0.9 of a handler that only reads the body and publishes it. This
runs, beside that baseline, the same handler checking each signature (HMAC-SHA256 of the body), the
same handler checking it and decoding the ref and commit (the least a receiver that builds only
signed pushes can do: ``bench._baseline_ingest --verify --parse``), and ``aftomato ingest``, in
interleaved closed-loop rounds at 64 in flight, each server in every place of the order. Each
one's median requests/s over the baseline's is its ratio, printed with its CPU per request.

    python -m bench.ingest_floor            # starts a private RabbitMQ; about 3 minutes
    BENCH_ROUNDS=4 python -m bench.ingest_floor
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from bench._load import Round
from bench._queue import SchedulerQueue
from bench._report import difference
from bench._servers import Server, start_baseline, start_ingest
from bench.ingest import CONCURRENCY, WARM_UP, Run, closed
from tests.support.servers.rabbitmq import RabbitMQServer

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
KEYS = ("baseline", "signature", "signature_parse", "ingest")
"""The servers in the JSON line, in the order they start."""


async def rounds(run: Run, servers: list[Server]) -> list[list[Round]]:
    """``ROUNDS`` rounds of each server, the order turned by one place each round."""
    for server in servers:
        await run.round(f"warm-up {server.name}", server, closed(WARM_UP))
    taken: list[list[Round]] = [[] for _ in servers]
    for number in range(ROUNDS):
        shift = number % len(servers)
        for index in [*range(shift, len(servers)), *range(shift)]:
            label = f"round {number + 1} {servers[index].name}"
            taken[index].append(await run.round(label, servers[index], closed(REQUESTS)))
    return taken


async def measure(url: str, logs: Path) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        run = Run(await SchedulerQueue.declare(url))
        stack.push_async_callback(run.queue.close)
        servers = [
            start_baseline(url, logs),
            start_baseline(url, logs, verify=True),
            start_baseline(url, logs, verify=True, parse=True),
            start_ingest(url, "warning", logs),
        ]
        for server in servers:
            stack.callback(server.stop)
        taken = await rounds(run, servers)
    rps = [statistics.median(r.rps for r in each) for each in taken]
    cpu_us = [statistics.median(r.server_cpu_us for r in each) for each in taken]
    print(f"{CONCURRENCY} in flight, {ROUNDS} rounds of {REQUESTS} requests each, medians:")
    for server, rate, cpu in zip(servers, rps, cpu_us, strict=True):
        print(
            f"  {server.name:32} {rate:6.0f} req/s  ratio {rate / rps[0]:.3f}"
            f"  cpu {cpu:4.0f} us/req  (x{cpu / cpu_us[0]:.2f} the baseline's)"
        )
    missing = difference(run.accepted, run.queued)
    print(f"  202s {run.accepted}, messages queued {run.queued}{missing}")
    result: dict[str, float] = {"baseline_rps": round(rps[0], 1)}
    for key, rate, cpu in zip(KEYS, rps, cpu_us, strict=True):
        if key != "baseline":
            result[f"{key}_ratio"] = round(rate / rps[0], 3)
        result[f"{key}_cpu_us"] = round(cpu, 1)
    return result | {"accepted": run.accepted, "queued": run.queued}


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-") as root:
        broker = RabbitMQServer(Path(root), management=False)
        await asyncio.to_thread(broker.start)
        try:
            result = await measure(broker.url(), Path(root))
        finally:
            await asyncio.to_thread(broker.close)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
