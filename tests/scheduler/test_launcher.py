"""The launcher makes a build's pod once, and never for a build that has ended."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio.client import CoreV1Api
from prometheus_client import CollectorRegistry

from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.coordination.keys import RunningBuild
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.coordination.release import release_build
from aftomato.common.messages import BuildRequested
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.labels import pod_name
from aftomato.scheduler.launcher import ENDED_MEANWHILE, RECOVERY_DELAY_SECONDS, Launcher
from aftomato.scheduler.metrics import SchedulerMetrics
from aftomato.scheduler.placement import Placement, Promoted
from aftomato.scheduler.pods import CANCELLED_ANNOTATION
from tests.scheduler.harness import NAMESPACE, Harness, request
from tests.support.clock import ManualClock
from tests.support.fake_kube import FakeKube, api_client


class Rig:
    def __init__(self, launcher: Launcher, store: InMemoryStore, fake: FakeKube) -> None:
        self.launcher = launcher
        self.placement = launcher.placement
        self.store = store
        self.fake = fake

    async def promote(self, sent: BuildRequested) -> Promoted:
        await self.placement.enqueue(sent)
        promoted = await self.placement.promote(self.placement.branch_of(sent))
        assert promoted is not None
        return promoted

    def live_pods(self) -> list[str]:
        return [pod["metadata"]["name"] for pod in self.fake.pods(NAMESPACE)]


@pytest.fixture
async def rig(
    memory_harness: Harness,
    big_fake_kube: FakeKube,
    store: InMemoryStore,
    placement: Placement,
    finishing: Finishing,
    clock: ManualClock,
) -> AsyncIterator[Rig]:
    bus = InMemoryBus(InMemoryBroker())
    async with api_client(big_fake_kube.url) as client:
        launcher = Launcher(
            bus,
            placement,
            finishing,
            await memory_harness.scripts(),
            KubePods(CoreV1Api(client), NAMESPACE),
            memory_harness.pod_context(),
            SchedulerMetrics.register(CollectorRegistry()),
            clock=clock,
        )
        yield Rig(launcher, store, big_fake_kube)
    await bus.close()


async def test_a_build_that_ended_while_its_pod_was_made_keeps_no_pod(rig: Rig) -> None:
    sent = request("team/queue-app")
    promoted = await rig.promote(sent)
    await release_build(rig.store, rig.placement.keys, sent.build_id)  # cancelled before its pod

    assert await rig.launcher.launch(promoted) is False  # its branch is free
    assert rig.fake.counters.pods_created == 1
    assert rig.live_pods() == []
    deleted = rig.fake.store.history.since(0)[-1].prev or {}
    assert deleted["metadata"]["annotations"][CANCELLED_ANNOTATION] == ENDED_MEANWHILE


async def test_a_sweep_recreates_no_pod_that_its_launcher_is_still_making(
    rig: Rig, clock: ManualClock
) -> None:
    sent = request("team/queue-app")
    await rig.promote(sent)  # its launcher is on its way to the API
    await rig.launcher.recover()
    assert rig.fake.counters.pods_created == 0

    clock.now += RECOVERY_DELAY_SECONDS  # long enough: that launch failed
    await rig.launcher.recover()
    assert rig.live_pods() == [pod_name(sent.build_id)]
    running = await rig.placement.running(sent.build_id)
    assert running is not None
    assert running.pod_created


async def test_a_sweep_after_the_build_ran_and_ended_leaves_no_second_pod(
    rig: Rig, clock: ManualClock
) -> None:
    sent = request("team/queue-app")
    promoted = await rig.promote(sent)
    stale = await rig.placement.all_running()  # what a sweep read before the build ended
    await rig.launcher.launch(promoted)
    await release_build(rig.store, rig.placement.keys, sent.build_id)  # it ran; released...
    rig.fake.store.remove(NAMESPACE, pod_name(sent.build_id))  # ...and deleted its pod
    clock.now += RECOVERY_DELAY_SECONDS

    (running,) = stale
    assert await rig.launcher.launch(Promoted(sent, running)) is False
    assert rig.live_pods() == []
    assert rig.fake.counters.pods_created == 2  # made, then withdrawn at once


async def test_a_pod_that_ran_and_ended_before_it_was_marked_is_left_to_the_watcher(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = request("team/queue-app")
    promoted = await rig.promote(sent)
    name = pod_name(sent.build_id)
    marking = rig.placement.mark_pod_created

    async def ends_first(build_id: str, running: RunningBuild) -> bool:
        # the pod runs and the watcher finishes its build before the mark is committed
        rig.fake.set_phase(NAMESPACE, name, "Succeeded")
        await release_build(rig.store, rig.placement.keys, build_id)
        return await marking(build_id, running)

    monkeypatch.setattr(rig.placement, "mark_pod_created", ends_first)
    assert await rig.launcher.launch(promoted) is False  # its branch is free
    assert rig.live_pods() == [name]  # not deleted before the watcher keeps its log
    assert CANCELLED_ANNOTATION not in rig.fake.pods(NAMESPACE)[0]["metadata"]["annotations"]
