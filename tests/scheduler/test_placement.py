"""Placement's one-round-trip paths (what they read and write must equal the longer way round),
how long its locks and its newest started requests live, and starting at once."""

from __future__ import annotations

from aftomato.common.coordination.gate import close_queue, open_queue
from aftomato.common.coordination.keys import BuildKeys, Phase
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.coordination.release import release_build
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.retention import retention as finished_builds_lease
from aftomato.scheduler.shared_lease import LOCK_LEASE_RENEW_SECONDS, SharedLeases
from tests.scheduler.harness import BRANCH, KEPT_SECONDS, RENEW_SECONDS, request
from tests.support.clock import ManualClock


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
