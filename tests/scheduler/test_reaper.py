"""The reaper frees the locks nobody else will: builds that ended, and builds whose pod vanished."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio.client import CoreV1Api

from aftomato.common.bus import Delivery
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.coordination import Put
from aftomato.common.coordination.keys import BuildEntry, BuildKeys, Phase
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.messages import BuildFinished, BuildRequested
from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.states import BuildState
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.labels import pod_name
from aftomato.scheduler.manifests import build_pod
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.placement_reads import READ_BATCH
from aftomato.scheduler.reaper import VANISHED, Reaper
from aftomato.scheduler.retention import retention
from aftomato.scheduler.shared_lease import SharedLeases
from tests.scheduler.harness import NAMESPACE, Harness, request
from tests.support.clock import ManualClock
from tests.support.fake_kube import FakeKube, api_client
from tests.support.waiting import eventually

GRACE = 30.0


class Rig:
    """A reaper over the in-process store and bus, and the fake Kubernetes API."""

    def __init__(self, pods: KubePods, harness: Harness, fake: FakeKube) -> None:
        self.store = InMemoryStore()
        self.keys = BuildKeys()
        kept = retention(self.store, 3600)
        self.placement = Placement(
            self.store,
            self.keys,
            max_running=0,
            lease_seconds=lambda _: 600,
            retention=kept,
            lock_leases=SharedLeases(self.store),
        )
        finishing = Finishing(self.store, self.placement, retention=kept)
        self.pods = pods
        self.harness = harness
        self.fake = fake
        self.bus = InMemoryBus(InMemoryBroker())
        self.clock = ManualClock()
        self.reaper = Reaper(
            self.bus, self.placement, finishing, pods, grace_seconds=GRACE, clock=self.clock
        )
        self.finished: list[BuildFinished] = []

    async def hear(self, delivery: Delivery) -> None:
        assert isinstance(delivery.message, BuildFinished)
        self.finished.append(delivery.message)

    async def start(self, sent: BuildRequested, *, with_pod: bool = True) -> None:
        await self.placement.enqueue(sent)
        promoted = await self.placement.promote(self.placement.branch_of(sent))
        assert promoted is not None
        if with_pod:
            await self.create_pod(sent)
            assert await self.placement.mark_pod_created(sent.build_id, promoted.running)

    async def create_pod(self, sent: BuildRequested) -> None:
        await self.pods.create(build_pod(sent, ProjectConfig(), self.harness.pod_context()))

    def remove_pod(self, sent: BuildRequested) -> None:
        self.fake.store.remove(NAMESPACE, pod_name(sent.build_id))

    async def mark_done(self, sent: BuildRequested, outcome: str) -> None:
        """The entry says done while the lock is held: a scheduler stopped mid-finish."""
        entry = BuildEntry(phase=Phase.DONE, branch=self.placement.branch_of(sent), outcome=outcome)
        await self.store.transaction(
            [], [Put(self.keys.build(sent.build_id), entry.model_dump_json().encode())]
        )

    async def holder(self, sent: BuildRequested) -> str | None:
        return await self.placement.holder(self.placement.branch_of(sent))


@pytest.fixture
async def rig(big_fake_kube: FakeKube, memory_harness: Harness) -> AsyncIterator[Rig]:
    async with api_client(big_fake_kube.url) as client:
        made = Rig(KubePods(CoreV1Api(client), NAMESPACE), memory_harness, big_fake_kube)
        await made.bus.subscribe("test-finished", ["build.finished"], made.hear)
        yield made
        await made.bus.close()


async def test_a_build_that_ended_but_kept_its_lock_is_freed(rig: Rig) -> None:
    sent = request("team/queue-app")
    await rig.start(sent)
    await rig.mark_done(sent, "failed")
    assert await rig.reaper.reap() == [rig.placement.branch_of(sent)]
    assert await rig.holder(sent) is None
    entry = await rig.placement.entry(sent.build_id)
    assert entry is not None
    assert entry.outcome == "failed"
    assert rig.finished == []  # its end was announced when it ended


async def test_a_vanished_pod_frees_its_lock_after_the_grace_period_only(rig: Rig) -> None:
    gone, alive, unborn = (request("team/queue-app", branch) for branch in ("a", "b", "c"))
    await rig.start(gone)
    await rig.start(alive)
    await rig.start(unborn, with_pod=False)  # not created yet: nothing to look for
    rig.remove_pod(gone)

    assert await rig.reaper.reap() == []
    rig.clock.now += GRACE - 1
    assert await rig.reaper.reap() == []
    rig.clock.now += 1
    assert await rig.reaper.reap() == [rig.placement.branch_of(gone)]

    await eventually(lambda: rig.finished, what="build.finished")
    assert [(f.build_id, f.state, f.reason) for f in rig.finished] == [
        (gone.build_id, BuildState.ERRORED, VANISHED)
    ]
    assert await rig.holder(gone) is None
    assert [await rig.holder(still) for still in (alive, unborn)] == [
        alive.build_id,
        unborn.build_id,
    ]
    rig.clock.now += 10 * GRACE
    assert await rig.reaper.reap() == []


async def test_a_pod_seen_again_restarts_the_count(rig: Rig) -> None:
    sent = request("team/queue-app")
    await rig.start(sent)
    rig.remove_pod(sent)
    assert await rig.reaper.reap() == []
    rig.clock.now += GRACE - 1
    await rig.create_pod(sent)  # back (a list that missed it, say)
    assert await rig.reaper.reap() == []
    rig.remove_pod(sent)
    assert await rig.reaper.reap() == []
    rig.clock.now += GRACE - 1
    assert await rig.reaper.reap() == []  # missing since the last look only, not the first
    assert rig.finished == []
    assert await rig.holder(sent) == sent.build_id


async def test_more_running_builds_than_one_read_holds_are_all_reaped(rig: Rig) -> None:
    builds = [request("team/queue-app", f"branch-{n}") for n in range(READ_BATCH * 2 + 5)]
    for sent in builds:
        await rig.start(sent, with_pod=False)
        await rig.mark_done(sent, "succeeded")
    freed = await rig.reaper.reap()
    assert sorted(freed) == sorted(rig.placement.branch_of(sent) for sent in builds)
    assert await rig.placement.all_running() == []
