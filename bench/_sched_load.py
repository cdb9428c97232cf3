"""``build.requested`` offered at a fixed rate (open loop), and what each round came to.

Request ``n`` of a round is for project ``bench/p{n % 100}`` on a branch of its own, so no request
waits behind another build of its branch: every one of them can start at once, and the time to
its pod is the scheduler's own. Latency counts from when a request was due, not from when the
bench got round to publishing it, so a generator falling behind shows (its lag is reported too).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from dataclasses import dataclass, field

from aftomato.common.bus import Bus
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildRequested, Source
from bench._sched_pods import PodClock
from bench._sched_rig import project_key

PROJECTS = 100
DRAIN_SECONDS = 10.0
"""A round gives up on the pods still missing after this long without a new one."""


@dataclass
class Offered:
    """What a round published: each build's due time, and how late its publish began."""

    rate: float
    start: float
    due: dict[str, float] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)
    failed: list[BaseException] = field(default_factory=list)


@dataclass(frozen=True)
class Round:
    """Latencies (seconds) of the pods that were created, and how many never were."""

    rate: float
    seconds: float
    latencies: list[float]
    missing: int
    achieved_rps: float
    lag_p99_ms: float
    publish_failures: int

    def percentile_ms(self, percent: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1000

    def held(self, p99_bound_ms: float) -> bool:
        """Every pod came, at >= 95% of the offered rate, with p99 within the bound."""
        return (
            self.missing == 0
            and self.publish_failures == 0
            and self.achieved_rps >= 0.95 * self.rate
            and self.percentile_ms(99) <= p99_bound_ms
        )


def request(token: str, number: int) -> BuildRequested:
    project, branch = project_key(number % PROJECTS), f"bench-{token}-{number}"
    delivery = f"{token}-{number}"
    return BuildRequested(
        build_id=derived_build_id(Source.BUS.value, delivery, project, branch),
        project_key=project,
        branch=branch,
        source=Source.BUS,
        delivery_id=delivery,
    )


async def offer(bus: Bus, rate: float, seconds: float) -> Offered:
    """Publish ``rate * seconds`` requests, each when due; returns once all are confirmed."""
    token, count = secrets.token_hex(4), round(rate * seconds)
    offered = Offered(rate, time.perf_counter() + 0.05)

    async def publish(message: BuildRequested, due: float) -> None:
        offered.lag.append(time.perf_counter() - due)
        try:
            await bus.publish(message)
        except Exception as error:  # counted and reported; the round goes on
            offered.failed.append(error)

    async with asyncio.TaskGroup() as group:
        for number in range(count):
            due = offered.start + number / rate
            message = request(token, number)  # built before it is due, off the clock
            await asyncio.sleep(due - time.perf_counter())
            offered.due[message.build_id] = due
            group.create_task(publish(message, due))
    return offered


async def measure(clock: PodClock, offered: Offered) -> Round:
    """Wait for the round's pods (until none came for ``DRAIN_SECONDS``); its figures."""
    await _drain(clock, offered.due)
    created = {b: clock.created[b] for b in offered.due if b in clock.created}
    latencies = [created[b] - due for b, due in offered.due.items() if b in created]
    span = (max(created.values()) - offered.start) if created else float("inf")
    lag = sorted(offered.lag)
    return Round(
        rate=offered.rate,
        seconds=len(offered.due) / offered.rate,
        latencies=latencies,
        missing=len(offered.due) - len(created),
        achieved_rps=len(created) / span,
        lag_p99_ms=lag[int(0.99 * (len(lag) - 1))] * 1000 if lag else 0.0,
        publish_failures=len(offered.failed),
    )


async def _drain(clock: PodClock, due: dict[str, float]) -> None:
    waiting = {build_id for build_id in due if build_id not in clock.created}
    progress = time.monotonic()
    while waiting and time.monotonic() - progress < DRAIN_SECONDS:
        await asyncio.sleep(0.05)
        still = {build_id for build_id in waiting if build_id not in clock.created}
        if len(still) < len(waiting):
            progress = time.monotonic()
        waiting = still


def pooled(rounds: list[Round]) -> Round:
    """Rounds at one rate as one: their latencies, missing pods and failures added up."""
    created = sum(len(r.latencies) for r in rounds)
    busy = sum(len(r.latencies) / r.achieved_rps for r in rounds if r.achieved_rps > 0)
    return Round(
        rate=rounds[0].rate,
        seconds=sum(r.seconds for r in rounds),
        latencies=[latency for r in rounds for latency in r.latencies],
        missing=sum(r.missing for r in rounds),
        achieved_rps=created / busy if busy else 0.0,
        lag_p99_ms=max(r.lag_p99_ms for r in rounds),
        publish_failures=sum(r.publish_failures for r in rounds),
    )
