"""Finishing: a build that ran ends in one round trip that reads its branch for the next (what it
reads and writes must equal the longer way round), and finished builds are remembered for the
retention period only."""

from __future__ import annotations

from aftomato.common.coordination.keys import Phase
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.coordination.release import release_build
from aftomato.common.messages import BuildRequested
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.placement import Placement
from tests.scheduler.harness import BRANCH, KEPT_SECONDS, RENEW_SECONDS, request
from tests.support.clock import ManualClock


async def ran_with_one_waiting(
    placement: Placement, store: InMemoryStore
) -> tuple[BuildRequested, BuildRequested]:
    """Two requests of one branch: the first ran and its watcher released it; the second waits."""
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    await placement.enqueue(first)
    await placement.enqueue(second)
    assert await placement.promote(BRANCH) is not None
    await release_build(store, placement.keys, first.build_id)
    return first, second


async def test_finishing_a_released_build_reads_the_branch_for_the_next(
    placement: Placement, finishing: Finishing, store: InMemoryStore
) -> None:
    first, second = await ran_with_one_waiting(placement, store)

    freed = await finishing.finish_running(first.build_id, "succeeded", BRANCH)
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
    finishing: Finishing,
) -> None:
    first = request("team/queue-app")
    await placement.enqueue(first)
    assert await placement.promote(BRANCH) is not None

    freed = await finishing.finish_running(first.build_id, "failed", BRANCH)
    assert freed is not None
    assert freed.seen is None
    assert await placement.holder(BRANCH) is None
    assert await placement.running(first.build_id) is None


async def test_finishing_a_waiting_or_unknown_build_takes_the_long_way(
    placement: Placement,
    finishing: Finishing,
) -> None:
    first, second = request("team/queue-app", number=1), request("team/queue-app", number=2)
    await placement.enqueue(first)
    await placement.enqueue(second)
    assert await placement.promote(BRANCH) is not None

    freed = await finishing.finish_running(second.build_id, "cancelled", BRANCH)
    assert freed is not None
    assert freed.branch == BRANCH
    assert await placement.waiting(BRANCH) == []
    entry = await placement.entry(second.build_id)
    assert entry is not None
    assert (entry.phase, entry.outcome) == (Phase.DONE, "cancelled")
    assert await placement.holder(BRANCH) == first.build_id  # the running build is untouched

    assert await finishing.finish_running("never-seen", "succeeded", BRANCH) is None


async def test_a_finished_build_is_remembered_for_the_retention_period_only(
    placement: Placement, finishing: Finishing, store: InMemoryStore, clock: ManualClock
) -> None:
    first, waiting = await ran_with_one_waiting(placement, store)
    await finishing.finish_running(first.build_id, "succeeded", BRANCH)
    assert (await placement.enqueue(first)).new is False  # a redelivery builds nothing

    clock.now += KEPT_SECONDS + RENEW_SECONDS
    assert await placement.entry(first.build_id) is None
    waiting_entry = await placement.entry(waiting.build_id)  # not finished: never forgotten
    assert waiting_entry is not None
    assert waiting_entry.phase is Phase.WAITING


async def test_notes_share_a_lease_per_renewal_and_outlive_a_lost_one(
    placement: Placement, finishing: Finishing, store: InMemoryStore, clock: ManualClock
) -> None:
    builds = [request("team/queue-app", f"b{n}") for n in range(3)]
    for sent in builds:
        await placement.enqueue(sent)
    waiting = await placement.waiting(placement.branch_of(builds[0]))
    assert await finishing.drop_waiting(waiting[0], "cancelled")
    await finishing.finish(builds[1].build_id, "cancelled")
    kept = [await store.get(placement.keys.build(sent.build_id)) for sent in builds[:2]]
    leases = {kv.lease for kv in kept if kv is not None}
    assert len(leases) == 1
    assert leases != {0}

    await store.revoke_lease(leases.pop())  # gone (etcd restored from a backup, say)
    await finishing.finish(builds[2].build_id, "cancelled")
    note = await store.get(placement.keys.build(builds[2].build_id))
    assert note is not None
    assert note.lease != 0

    clock.now += RENEW_SECONDS
    later = request("team/queue-app", "later")
    await placement.enqueue(later)
    await finishing.finish(later.build_id, "cancelled")
    newer = await store.get(placement.keys.build(later.build_id))
    assert newer is not None
    assert newer.lease not in (0, note.lease)
