"""Webhook throughput: ``aftomato ingest`` against a bare publish-the-body server, in the same run.

Signed GitHub push deliveries (one body and signature, a new ``X-GitHub-Delivery`` each), 64 in
flight, to ``aftomato ingest`` in its own process and to ``bench._baseline_ingest`` (read the body,
publish it with a confirm, answer 202). Same client, payload and broker for both; rounds alternate
who goes first and the medians are compared. Every round ends by purging the scheduler's queue and
checking that it held exactly as many messages as there were 202s, and reading each server's CPU
time per request (what judges a change on a shared machine, where wall-clock figures move with the
neighbours' load; the medians are in the JSON line as ``ingest_cpu_us`` and ``baseline_cpu_us``).
Then: 500 requests/s offered to each in alternating halves (open loop: latency counts from when a
request was due), a round and the offered rate with production (info) logging, and ingest's
resident memory once it has taken 50,000 requests.

    python -m bench.ingest                  # starts a private RabbitMQ
    BENCH_QUICK=1 python -m bench.ingest    # a short smoke run (no 50,000-request top-up)
    BENCH_MEMORY=1 python -m bench.ingest   # only the memory check, on a fresh ingest
    AFTOMATO_BENCH_AMQP_URL=amqp://... python -m bench.ingest
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bench._load import Deliveries, Round, closed_loop, open_loop, pooled
from bench._queue import SchedulerQueue
from bench._report import describe, difference, summary
from bench._servers import SECRET, Server, idle_cores_seconds, start_baseline, start_ingest
from tests.support.servers.rabbitmq import RabbitMQServer

QUICK = os.environ.get("BENCH_QUICK") == "1"
MEMORY_ONLY = os.environ.get("BENCH_MEMORY") == "1"
"""Only the 50,000 closed-loop requests and the resident memory after them: in the full run the
same process first takes the offered-rate rounds, where a backlog on a busy machine grows the heap
that the memory figure then includes."""
CONCURRENCY = 64
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2" if QUICK else "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000" if QUICK else "5000"))
WARM_UP = 300 if QUICK else 1000
OFFERED_RATE = 500.0
OFFERED_SECONDS = 3.0 if QUICK else 10.0
MEMORY_AFTER = 0 if QUICK and not MEMORY_ONLY else 50_000

Load = Callable[[Deliveries], Awaitable[Round]]


@dataclass
class Run:
    """The scheduler's queue, and what every round so far was answered and queued."""

    queue: SchedulerQueue
    accepted: int = 0
    queued: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    generator_peak: float = 0.0
    """The most CPU (in cores) the load generator used in any round."""

    async def round(self, label: str, server: Server, load: Load) -> Round:
        """One round against ``server``: print its figures, check the queue against the 202s."""
        await self.queue.count_and_purge()  # nothing left over from before
        deliveries = Deliveries(SECRET, server.port)
        cpu, idle = server.cpu_seconds(), idle_cores_seconds()
        try:
            result = await load(deliveries)
        finally:
            deliveries.close()
        result.server_cpu = server.cpu_seconds() - cpu
        generator = result.client_cpu / result.seconds
        self.generator_peak = max(self.generator_peak, generator)
        usage = (
            f"cpu: server {result.server_cpu_us:4.0f} us/req,"
            f" {result.server_cpu / result.seconds:4.2f}"
            f" generator {generator:4.2f}"
            f" idle {(idle_cores_seconds() - idle) / result.seconds:4.2f} cores;"
            f" server rss {server.rss_mb():.0f} MiB"
        )
        queued = await self.queue.count_and_purge()
        self.accepted += result.accepted
        self.queued += queued
        self.sent[server.name] = self.sent.get(server.name, 0) + len(result.latencies)
        print(f"{label:40} {describe(result, queued)}  {usage}")
        return result


def closed(requests: int) -> Load:
    return lambda deliveries: closed_loop(deliveries, requests, CONCURRENCY)


def offered(seconds: float) -> Load:
    return lambda deliveries: open_loop(deliveries, OFFERED_RATE, seconds)


async def interleaved(run: Run, ingest: Server, baseline: Server) -> dict[str, list[Round]]:
    """``ROUNDS`` closed-loop rounds each, alternating who goes first."""
    for server in (ingest, baseline):
        await run.round(f"warm-up {server.name}", server, closed(WARM_UP))
    rounds: dict[str, list[Round]] = {ingest.name: [], baseline.name: []}
    for number in range(ROUNDS):
        pair = (ingest, baseline) if number % 2 == 0 else (baseline, ingest)
        for server in pair:
            label = f"round {number + 1} {server.name}"
            rounds[server.name].append(await run.round(label, server, closed(REQUESTS)))
    return rounds


async def offered_rounds(run: Run, ingest: Server, baseline: Server) -> Round:
    """``OFFERED_RATE`` to each for ``OFFERED_SECONDS`` in two alternating halves; ingest's."""
    halves: dict[str, list[Round]] = {ingest.name: [], baseline.name: []}
    for pair in ((ingest, baseline), (baseline, ingest)):
        for server in pair:
            label = f"{server.name} {OFFERED_RATE:.0f}/s offered"
            halves[server.name].append(await run.round(label, server, offered(OFFERED_SECONDS / 2)))
    for name, rounds in halves.items():
        print(f"  {name}: p99 {pooled(rounds).percentile_ms(99):.1f} ms over both halves")
    return pooled(halves[ingest.name])


async def production_logging(run: Run, url: str, logs: Path, baseline: Server) -> None:
    """A closed-loop round and the offered rate with info logging, as ingest runs in production."""
    ingest = start_ingest(url, "info", logs)
    try:
        await run.round(f"warm-up {ingest.name}", ingest, closed(WARM_UP))
        logged = await run.round(ingest.name, ingest, closed(REQUESTS))
        bare = await run.round(f"{baseline.name} (next to it)", baseline, closed(REQUESTS))
        print(f"  info logging: ratio to the baseline round next to it {logged.rps / bare.rps:.3f}")
        await run.round(f"{ingest.name} {OFFERED_RATE:.0f}/s", ingest, offered(OFFERED_SECONDS))
    finally:
        ingest.stop()


async def top_up(run: Run, ingest: Server) -> None:
    """Closed-loop rounds until ingest has taken ``MEMORY_AFTER`` requests in all."""
    while (left := MEMORY_AFTER - run.sent.get(ingest.name, 0)) > 0:
        await run.round(f"top-up {ingest.name}", ingest, closed(min(left, 20_000)))


async def measure(url: str, logs: Path) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        run = Run(await SchedulerQueue.declare(url))
        stack.push_async_callback(run.queue.close)
        ingest = start_ingest(url, "warning", logs)
        stack.callback(ingest.stop)
        baseline = start_baseline(url, logs)
        stack.callback(baseline.stop)
        rounds = await interleaved(run, ingest, baseline)
        at_rate = await offered_rounds(run, ingest, baseline)
        await production_logging(run, url, logs, baseline)
        await top_up(run, ingest)
        rss_mb, taken = ingest.rss_mb(), run.sent[ingest.name]
    print(f"{ingest.name}: resident memory after {taken} requests: {rss_mb:.1f} MiB")
    print(
        f"the load generator used at most {run.generator_peak:.2f} of a core in any round"
        " (cpu: cores busy in the server and the generator, and idle on the whole machine)"
    )
    return figures(rounds[ingest.name], rounds[baseline.name], at_rate, run) | {"rss_mb": rss_mb}


def figures(
    ingest: list[Round], baseline: list[Round], at_rate: Round, run: Run
) -> dict[str, float]:
    ingest_rps = statistics.median(r.rps for r in ingest)
    baseline_rps = statistics.median(r.rps for r in baseline)
    return {
        "ingest_rps": ingest_rps,
        "baseline_rps": baseline_rps,
        "ratio": ingest_rps / baseline_rps,
        "ingest_cpu_us": statistics.median(r.server_cpu_us for r in ingest),
        "baseline_cpu_us": statistics.median(r.server_cpu_us for r in baseline),
        "p50_ms": statistics.median(r.percentile_ms(50) for r in ingest),
        "p99_ms": statistics.median(r.percentile_ms(99) for r in ingest),
        "p99_ms_at_500": at_rate.percentile_ms(99),
        "accepted": run.accepted,
        "queued": run.queued,
    }


async def memory(url: str, logs: Path) -> None:
    """``BENCH_MEMORY``: a fresh ingest takes ``MEMORY_AFTER`` requests; its memory then."""
    async with AsyncExitStack() as stack:
        run = Run(await SchedulerQueue.declare(url))
        stack.push_async_callback(run.queue.close)
        ingest = start_ingest(url, "warning", logs)
        stack.callback(ingest.stop)
        before = ingest.rss_mb()
        await top_up(run, ingest)
        rss_mb, taken = ingest.rss_mb(), run.sent[ingest.name]
    print(
        f"{ingest.name}: resident memory {before:.1f} MiB at start, {rss_mb:.1f} MiB after {taken}"
    )
    print(
        f"  202s {run.accepted}, messages queued {run.queued}{difference(run.accepted, run.queued)}"
    )
    print(f"  {'met' if rss_mb <= 120 else 'NOT MET':11} RSS <= 120 MB after 50,000 requests")
    print(json.dumps({"rss_mb": round(rss_mb, 3), "accepted": run.accepted, "queued": run.queued}))


async def main() -> None:
    url = os.environ.get("AFTOMATO_BENCH_AMQP_URL")
    server = None
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-") as root:
        if url is None:
            server = RabbitMQServer(Path(root), management=False)
            await asyncio.to_thread(server.start)
            url = server.url()
        try:
            if MEMORY_ONLY:
                await memory(url, Path(root))
                return
            result = await measure(url, Path(root))
        finally:
            if server is not None:
                await asyncio.to_thread(server.close)
    heading = (
        f"{CONCURRENCY} in flight, {ROUNDS} interleaved rounds of {REQUESTS} requests, medians;"
        " ingest logged at warning level (info logging off) except in the rounds marked info"
    )
    summary(result, heading, quick=QUICK)


if __name__ == "__main__":
    asyncio.run(main())
