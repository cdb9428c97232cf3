"""The scheduler's promises on real RabbitMQ and etcd with the fake Kubernetes API."""

from __future__ import annotations

import asyncio

import pytest

from aftomato.common.messages import BuildRequested
from tests.scheduler.harness import (
    Harness,
    Watcher,
    most_alive,
    pod_history,
    request,
    started_order,
)
from tests.support.waiting import eventually, eventually_async

pytestmark = pytest.mark.integration

BURST = 100


async def publish_all(harness: Harness, requests: list[BuildRequested]) -> None:
    await asyncio.gather(*(harness.bus.publish(r) for r in requests))


async def nothing_held(harness: Harness) -> bool:
    keys = harness.keys
    held = [
        *await harness.store.get_prefix(keys.locks),
        *await harness.store.get_prefix(keys.all_running),
        *await harness.store.get_prefix(keys.slots),
        *await harness.store.get_prefix(keys.queues),
    ]
    return not held


async def test_a_burst_on_one_branch_runs_one_at_a_time_all_of_it_in_order(
    harness: Harness,
) -> None:
    burst = [request("team/queue-app", "main", n) for n in range(BURST)]
    async with harness.scheduler(), Watcher(harness.fake, harness.bus, seconds=0.01) as watcher:
        await publish_all(harness, burst)
        await eventually(lambda: len(watcher.finished) == BURST, within=120, what="every build")
    history = pod_history(harness.fake)
    assert most_alive(history, group=lambda branch: branch) == 1
    order = started_order(history)
    assert sorted(order) == sorted(r.build_id for r in burst)
    position = {r.build_id: n for n, r in enumerate(burst)}
    waited = [position[build_id] for build_id in order[1:]]
    assert waited == sorted(waited), "the requests that waited ran in the order requested"
    assert harness.fake.counters.pods_created == BURST
    assert await eventually_async(lambda: nothing_held(harness), what="every lock released")
