"""The soak's client, in a process of its own so that its pace does not depend on the fake
Kubernetes API and simulated node (they share the bench's process and event loop): it listens to
the api's ``/api/v1/events``, warms up, then on the word pushes at the soak's rate, waits for the
builds to finish, and hands back what it saw.

The conversation on the pipe: the client sends ``WARMED``; the bench answers ``GO`` (having read
the services' memory); the client sends a ``ClientReport``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import aiohttp

from bench._e2e_events import BuildEvents, build_events
from bench._soak_load import Tally, drive

WARMED = "warmed"
GO = "go"
WARM_UP_PUSHES = 20
WARM_UP_RATE = 5.0
PROGRESS_SECONDS = 15.0


@dataclass(frozen=True)
class Plan:
    ingest_url: str
    api_url: str
    bodies: list[bytes]
    rate: float
    seconds: float
    drain_seconds: float


@dataclass(frozen=True)
class ClientReport:
    warm_up: Tally
    load: Tally
    finished_at: dict[str, float]
    """Build id -> ``time.monotonic()`` when its ``build.finished`` arrived (the machine's clock,
    comparable with the tallies' 202 moments)."""
    drained_seconds: float


def run_client(plan: Plan, pipe: Connection) -> None:
    """The child process's entry point."""
    pipe.send(asyncio.run(_client(plan, pipe)))


async def _client(plan: Plan, pipe: Connection) -> ClientReport:
    connector = aiohttp.TCPConnector(limit=500)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        build_events(http, plan.api_url) as events,
    ):
        warm = await drive(
            http, plan.ingest_url, plan.bodies[::-1], WARM_UP_RATE, WARM_UP_PUSHES / WARM_UP_RATE
        )
        await _drain(events, warm.accepted, plan.drain_seconds)
        pipe.send(WARMED)
        if await asyncio.to_thread(pipe.recv) != GO:
            raise RuntimeError("the bench did not say go")
        load = Tally()
        reporting = asyncio.create_task(_progress(load, events))
        try:
            await drive(http, plan.ingest_url, plan.bodies, plan.rate, plan.seconds, tally=load)
            drained = await _drain(events, load.accepted, plan.drain_seconds)
        finally:
            reporting.cancel()
        finished_at = {
            build: seen["build.finished"]
            for build, seen in events.seen.items()
            if "build.finished" in seen
        }
    return ClientReport(warm, load, finished_at, drained)


def finished(events: BuildEvents, builds: dict[str, float]) -> int:
    return sum("build.finished" in events.seen.get(b, {}) for b in builds)


async def _drain(events: BuildEvents, builds: dict[str, float], seconds: float) -> float:
    """Wait until every build has finished, at most ``seconds``; how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if finished(events, builds) >= len(builds):
            break
        await asyncio.sleep(1.0)
    return time.monotonic() - started


async def _progress(tally: Tally, events: BuildEvents) -> None:
    started = time.monotonic()
    while True:
        await asyncio.sleep(PROGRESS_SECONDS)
        print(
            f"  {time.monotonic() - started:6.0f} s: sent {tally.sent}, 202"
            f" {tally.deliveries_accepted}, refused {tally.refused.total()},"
            f" finished {finished(events, tally.accepted)}",
            flush=True,
        )
