"""Placement's one-round-trip paths (what they read and write must equal the longer way round),
and how long it remembers finished builds."""

from __future__ import annotations

import pytest

from aftomato.common.coordination.gate import close_queue, open_queue
from aftomato.common.coordination.keys import BuildKeys, Phase, branch_key
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.coordination.release import release_build
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.retention import retention as finished_builds_lease
from aftomato.scheduler.shared_lease import LOCK_LEASE_RENEW_SECONDS, SharedLeases
from tests.scheduler.harness import request
from tests.support.clock import ManualClock

BRANCH = branch_key("team/queue-app", "main")


KEPT_SECONDS = 7 * 86_400
RENEW_SECONDS = 3600


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> InMemoryStore:
    return InMemoryStore(clock=clock)


@pytest.fixture
def placement(store: InMemoryStore, clock: ManualClock) -> Placement:
    retention = finished_builds_lease(store, KEPT_SECONDS, renew_seconds=RENEW_SECONDS, clock=clock)
    return Placement(
        store,
        BuildKeys(),
        max_running=4,
        lease_seconds=lambda _: 60,
        retention=retention,
        lock_leases=SharedLeases(store, clock=clock),
    )


async def test_enqueue_reads_what_promotion_needs_with_the_new_request_in_it(
    placement: Placement,
) -> None:
    first = request("team/queue-app")
    enqueued = await placement.enqueue(first)
    assert (enqueued.new, enqueued.phase) == (True, Phase.WAITING)
    keys = placement.keys
    assert enqueued.seen.keys[keys.lock(BRANCH)] is None
    assert [
        kv.key.endswith(first.build_id) for kv in enqueued.seen.prefixes[keys.queue(BRANCH)]
    ] == [True]
    assert enqueued.seen.prefixes[keys.slots] == []

    promoted = await placement.promote(BRANCH, seen=enqueued.seen)
    assert promoted is not None
    again = await placement.enqueue(first)
    assert (again.new, again.phase) == (False, Phase.SCHEDULED)
    assert again.seen.keys[keys.lock(BRANCH)] is not None
    assert await placement.promote(BRANCH, seen=again.seen) is None


async def test_a_stale_view_costs_a_read_never_a_second_build(placement: Placement) -> None:
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    seen_by_first = (await placement.enqueue(first)).seen
    await placement.enqueue(second)
    assert await placement.promote(BRANCH, seen=seen_by_first) is not None
    # the view still shows the branch free, but the lock is taken now
    assert await placement.promote(BRANCH, seen=seen_by_first) is None
    assert [w.request.build_id for w in await placement.waiting(BRANCH)] == [second.build_id]


async def test_finishing_a_released_build_reads_the_branch_for_the_next(
    placement: Placement, store: InMemoryStore
) -> None:
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    await placement.enqueue(first)
    await placement.enqueue(second)
    running = await placement.promote(BRANCH)
    assert running is not None
    await release_build(store, placement.keys, first.build_id)  # the watcher released it

    freed = await placement.finish_running(first.build_id, "succeeded", BRANCH)
    assert freed is not None
    assert freed.seen is not None
    entry = await placement.entry(first.build_id)
    assert entry is not None
    assert (entry.phase, entry.outcome) == (Phase.DONE, "succeeded")
    assert freed.seen.keys[placement.keys.lock(BRANCH)] is None
    next_up = await placement.promote(BRANCH, seen=freed.seen)
    assert next_up is not None
    assert next_up.request.build_id == second.build_id


async def test_finishing_a_build_still_holding_its_lock_releases_it(
    placement: Placement,
) -> None:
    first = request("team/queue-app")
    await placement.enqueue(first)
    assert await placement.promote(BRANCH) is not None

    freed = await placement.finish_running(first.build_id, "failed", BRANCH)
    assert freed is not None
    assert freed.seen is None
    assert await placement.holder(BRANCH) is None
    assert await placement.running(first.build_id) is None


async def test_finishing_a_waiting_or_unknown_build_takes_the_long_way(
    placement: Placement,
) -> None:
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    await placement.enqueue(first)
    await placement.enqueue(second)
    assert await placement.promote(BRANCH) is not None

    freed = await placement.finish_running(second.build_id, "cancelled", BRANCH)
    assert freed is not None
    assert freed.branch == BRANCH
    assert await placement.waiting(BRANCH) == []
    entry = await placement.entry(second.build_id)
    assert entry is not None
    assert (entry.phase, entry.outcome) == (Phase.DONE, "cancelled")
    assert await placement.holder(BRANCH) == first.build_id  # the running build is untouched

    assert await placement.finish_running("never-seen", "succeeded", BRANCH) is None


async def test_a_finished_build_is_remembered_for_the_retention_period_only(
    placement: Placement, store: InMemoryStore, clock: ManualClock
) -> None:
    first, waiting = request("team/queue-app", number=1), request("team/queue-app", number=2)
    await placement.enqueue(first)
    await placement.enqueue(waiting)
    running = await placement.promote(BRANCH)
    assert running is not None
    await release_build(store, placement.keys, first.build_id)
    await placement.finish_running(first.build_id, "succeeded", BRANCH)
    assert (await placement.enqueue(first)).new is False  # a redelivery builds nothing

    clock.now += KEPT_SECONDS + RENEW_SECONDS
    assert await placement.entry(first.build_id) is None
    waiting_entry = await placement.entry(waiting.build_id)  # not finished: never forgotten
    assert waiting_entry is not None
    assert waiting_entry.phase is Phase.WAITING


async def test_notes_share_a_lease_per_renewal_and_outlive_a_lost_one(
    placement: Placement, store: InMemoryStore, clock: ManualClock
) -> None:
    builds = [request("team/queue-app", f"b{n}") for n in range(3)]
    for sent in builds:
        await placement.enqueue(sent)
    waiting = await placement.waiting(placement.branch_of(builds[0]))
    assert await placement.drop_waiting(waiting[0], "cancelled")
    await placement.finish(builds[1].build_id, "cancelled")
    kept = [await store.get(placement.keys.build(sent.build_id)) for sent in builds[:2]]
    leases = {kv.lease for kv in kept if kv is not None}
    assert len(leases) == 1
    assert leases != {0}

    await store.revoke_lease(leases.pop())  # gone (etcd restored from a backup, say)
    await placement.finish(builds[2].build_id, "cancelled")
    note = await store.get(placement.keys.build(builds[2].build_id))
    assert note is not None
    assert note.lease != 0

    clock.now += RENEW_SECONDS
    later = request("team/queue-app", "later")
    await placement.enqueue(later)
    await placement.finish(later.build_id, "cancelled")
    newer = await store.get(placement.keys.build(later.build_id))
    assert newer is not None
    assert newer.lease not in (0, note.lease)


async def test_the_newest_started_request_is_kept_like_a_finished_build(
    placement: Placement, store: InMemoryStore, clock: ManualClock
) -> None:
    sent = request("team/supersede-app")
    await placement.enqueue(sent, newest=True)
    started = await placement.promote(placement.branch_of(sent), newest=True)
    assert started is not None
    assert await placement.newest_started(placement.branch_of(sent)) == sent
    await release_build(store, placement.keys, sent.build_id)  # the build ended long ago

    clock.now += KEPT_SECONDS + RENEW_SECONDS
    assert await placement.newest_started(placement.branch_of(sent)) is None


async def test_builds_promoted_within_a_renewal_share_a_lock_lease_and_are_released_alone(
    placement: Placement, store: InMemoryStore, clock: ManualClock
) -> None:
    first, second = request("team/queue-app", "one"), request("team/queue-app", "two")
    promoted = []
    for sent in (first, second):
        await placement.enqueue(sent)
        promoted.append(await placement.promote(placement.branch_of(sent)))
    leases = {p.running.lease for p in promoted if p is not None}
    assert len(leases) == 1  # no lease granted per build

    assert await release_build(store, placement.keys, first.build_id)
    assert await placement.holder(placement.branch_of(first)) is None
    assert await placement.holder(placement.branch_of(second)) == second.build_id
    assert not await release_build(store, placement.keys, first.build_id)  # twice is harmless

    clock.now += LOCK_LEASE_RENEW_SECONDS
    third = request("team/queue-app", "three")
    await placement.enqueue(third)
    later = await placement.promote(placement.branch_of(third))
    assert later is not None
    assert later.running.lease not in leases


async def test_a_lost_lock_lease_is_replaced_and_the_promotion_made(
    placement: Placement, store: InMemoryStore
) -> None:
    first, second = request("team/queue-app", "one"), request("team/queue-app", "two")
    await placement.enqueue(first)
    running = await placement.promote(placement.branch_of(first))
    assert running is not None
    await store.revoke_lease(running.running.lease)  # gone (etcd restored from a backup, say)

    await placement.enqueue(second)
    again = await placement.promote(placement.branch_of(second))
    assert again is not None
    assert again.running.lease != running.running.lease
    assert await placement.holder(placement.branch_of(second)) == second.build_id


async def test_a_lock_outlives_a_release_that_never_comes_by_its_lease_only(
    placement: Placement, clock: ManualClock
) -> None:
    sent = request("team/queue-app")
    await placement.enqueue(sent)
    assert await placement.promote(placement.branch_of(sent)) is not None

    clock.now += 60 + LOCK_LEASE_RENEW_SECONDS  # the build's lease_seconds, and the sharing
    assert await placement.holder(placement.branch_of(sent)) is None


async def test_a_request_on_a_free_branch_starts_in_one_transaction(
    store: InMemoryStore, clock: ManualClock
) -> None:
    placement = Placement(
        store,
        BuildKeys(),
        max_running=0,
        lease_seconds=lambda _: 60,
        retention=finished_builds_lease(store, KEPT_SECONDS, clock=clock),
        lock_leases=SharedLeases(store, clock=clock),
    )
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    started = await placement.start_at_once(first)
    assert started is not None
    assert started.running.request == first.model_dump_json()
    assert await placement.holder(BRANCH) == first.build_id
    entry = await placement.entry(first.build_id)
    assert entry is not None
    assert entry.phase is Phase.SCHEDULED
    assert await placement.running(first.build_id) == started.running

    assert await placement.start_at_once(first) is None  # a redelivery
    assert await placement.start_at_once(second) is None  # the branch is busy
    await placement.enqueue(second)
    await release_build(store, placement.keys, first.build_id)
    third = request("team/queue-app", number=3)
    assert await placement.start_at_once(third) is None  # the second waits: it goes first
    assert await placement.holder(BRANCH) is None

    other = request("team/queue-app", "other")
    await close_queue(store, placement.keys, by="test")
    assert await placement.start_at_once(other) is None
    await open_queue(store, placement.keys)
    assert await placement.start_at_once(other) is not None


async def test_under_a_limit_every_request_takes_the_usual_way(placement: Placement) -> None:
    assert await placement.start_at_once(request("team/queue-app")) is None
    assert await placement.holder(BRANCH) is None
