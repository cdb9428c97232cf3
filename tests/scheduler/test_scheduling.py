"""The scheduler's promises on real RabbitMQ and etcd with the fake Kubernetes API."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.gate import close_queue, open_queue
from aftomato.common.messages import BuildRequested
from aftomato.common.settings import AmqpSettings
from aftomato.scheduler.settings import SchedulerSettings
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
    async with harness.scheduler(), Watcher(harness, seconds=0.01) as watcher:
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


async def test_supersede_runs_only_the_first_and_the_newest(harness: Harness) -> None:
    burst = [request("team/supersede-app", "main", n) for n in range(BURST)]
    async with harness.scheduler(), Watcher(harness) as watcher:
        watcher.hold()  # the first build runs until the whole burst has arrived
        await publish_all(harness, burst)
        await eventually_async(lambda: known_builds(harness, BURST), what="the whole burst")
        watcher.release()
        await eventually(lambda: len(watcher.finished) == 2, within=60, what="two builds")
        await asyncio.sleep(0.5)
        assert await eventually_async(lambda: nothing_held(harness), what="nothing held")
    order = started_order(pod_history(harness.fake))
    assert len(order) == 2
    assert order[1] == burst[-1].build_id
    assert harness.fake.counters.pods_created == 2


async def test_two_schedulers_at_once_keep_one_build_per_branch(harness: Harness) -> None:
    burst = [request("team/queue-app", "main", n) for n in range(BURST // 2)]
    burst += [request("team/queue-app", "dev", n) for n in range(BURST // 2)]
    second_bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(harness.amqp_url)))
    try:
        async with (
            harness.scheduler(),
            harness.scheduler(bus=second_bus),
            Watcher(harness, seconds=0.01) as watcher,
        ):
            await publish_all(harness, burst)
            await eventually(lambda: len(watcher.finished) == BURST, within=120, what="all")
    finally:
        await second_bus.close()
    history = pod_history(harness.fake)
    assert most_alive(history, group=lambda branch: branch) == 1
    assert harness.fake.counters.pods_created == BURST
    assert await eventually_async(lambda: nothing_held(harness), what="nothing held")


async def test_a_scheduler_killed_mid_burst_loses_nothing_and_duplicates_nothing(
    harness: Harness,
) -> None:
    burst = [request("team/queue-app", "main", n) for n in range(BURST // 2)]
    doomed_bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(harness.amqp_url)))
    async with Watcher(harness, seconds=0.02) as watcher:
        async with harness.scheduler(bus=doomed_bus, abrupt=True):
            await publish_all(harness, burst)
            await eventually(lambda: len(watcher.finished) >= 5, within=60, what="some builds")
        # The first scheduler died without draining; a new one takes over its messages.
        async with harness.scheduler():
            await eventually(
                lambda: len(set(watcher.finished)) == len(burst), within=120, what="every build"
            )
    history = pod_history(harness.fake)
    assert most_alive(history, group=lambda branch: branch) == 1
    assert sorted(started_order(history)) == sorted(r.build_id for r in burst)
    assert harness.fake.counters.pods_created == len(burst), "no build ran twice"
    assert await eventually_async(lambda: nothing_held(harness), what="every lock released")


async def test_the_global_limit_holds(harness: Harness) -> None:
    harness.settings = SchedulerSettings(max_running=3, sweep_seconds=0.2)
    burst = [request("team/queue-app", f"branch-{n % 10}", n) for n in range(40)]
    async with harness.scheduler(), Watcher(harness, seconds=0.1) as watcher:
        await publish_all(harness, burst)
        await eventually(lambda: len(watcher.finished) == 40, within=120, what="every build")
    history = pod_history(harness.fake)
    assert most_alive(history, group=lambda _: "all") == 3
    assert most_alive(history, group=lambda branch: branch) == 1
    assert await eventually_async(lambda: nothing_held(harness), what="nothing held")


async def test_a_closed_queue_holds_requests_and_releases_them_when_opened(
    harness: Harness,
) -> None:
    harness.settings = SchedulerSettings(sweep_seconds=0.2)
    await close_queue(harness.store, harness.keys, by="test")
    burst = [request("team/queue-app", f"b{n}", n) for n in range(5)]
    async with harness.scheduler(), Watcher(harness, seconds=0.01) as watcher:
        await publish_all(harness, burst)
        waiting = await eventually_async(lambda: all_waiting(harness, 5), what="5 waiting")
        assert waiting
        await asyncio.sleep(0.5)
        assert harness.fake.counters.pods_created == 0
        await open_queue(harness.store, harness.keys)
        await eventually(lambda: len(watcher.finished) == 5, within=30, what="every build")


async def known_builds(harness: Harness, count: int) -> bool:
    return len(await harness.store.get_prefix(harness.keys.builds)) == count


async def all_waiting(harness: Harness, count: int) -> bool:
    return len(await harness.store.get_prefix(harness.keys.queues)) == count
