"""Ending builds in the store: what a build holds is released, or it leaves its queue, and its
note says ``done``.

The note is written on the retention lease (:mod:`.retention`), so a late redelivery of the
request builds nothing for as long as finished builds are kept. A build that ran is finished in
one round trip when its note still says it was scheduled on its branch: that transaction also
reads what promoting the branch next depends on, so the promotion that follows needs no read of
its own. Releasing twice is harmless (:mod:`aftomato.common.coordination.release`).
"""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.common.coordination import (
    Compare,
    CoordinationStore,
    Delete,
    KeyValue,
    Put,
    Snapshot,
)
from aftomato.common.coordination.keys import BuildEntry, Phase
from aftomato.common.coordination.release import release_build, release_running
from aftomato.scheduler.placement_reads import PlacementReads, Waiting, build_note
from aftomato.scheduler.shared_lease import SharedLease


@dataclass(frozen=True)
class Freed:
    branch: str
    seen: Snapshot | None
    """What promoting ``branch`` depends on, read just after; None when it must be read anew."""


class Finishing:
    def __init__(
        self, store: CoordinationStore, reads: PlacementReads, *, retention: SharedLease
    ) -> None:
        self._store = store
        self._reads = reads
        self._keys = reads.keys
        self._retention = retention

    async def finish(self, build_id: str, outcome: str) -> str | None:
        """Release what the build holds (or remove it from its queue); its branch, if known."""
        seen = await self._store.read(
            keys=[self._keys.build(build_id), self._keys.running(build_id)]
        )
        freed = await self._finish_as_seen(build_id, outcome, seen)
        return None if freed is None else freed.branch

    async def finish_running(
        self, build_id: str, outcome: str, branch: str, *, newest: bool = False
    ) -> Freed | None:
        """:meth:`finish` for a build that ran on ``branch``, in one round trip when it did: the
        entry is marked done only if it still says scheduled there, and what promoting the
        branch next depends on is read in the same transaction."""
        build, running = self._keys.build(build_id), self._keys.running(build_id)
        keys, prefixes = self._reads.promotion_reads(branch, newest=newest)
        result = await self._retention.writing(
            lambda kept: self._store.transact(
                [Compare.value_is(build, build_note(Phase.SCHEDULED, branch))],
                [Put(build, build_note(Phase.DONE, branch, outcome), kept)],
                keys=[build, running, *keys],
                prefixes=prefixes,
            )
        )
        if not result.succeeded:
            return await self._finish_as_seen(build_id, outcome, result.seen)
        still_held = result.seen.keys[running]
        if still_held is None:
            return Freed(branch, result.seen)
        # its watcher did not release it: release it here, and read the branch again after
        await self._release(build_id, still_held)
        return Freed(branch, None)

    async def _finish_as_seen(self, build_id: str, outcome: str, seen: Snapshot) -> Freed | None:
        found = seen.keys[self._keys.build(build_id)]
        if found is None:
            return None
        entry = BuildEntry.model_validate_json(found.value)
        running = seen.keys[self._keys.running(build_id)]
        if running is not None:
            await self._release(build_id, running)
        done = build_note(Phase.DONE, entry.branch, outcome)
        doomed = (
            [Delete(entry.queue_item)] if entry.phase is Phase.WAITING and entry.queue_item else []
        )
        await self._retention.writing(
            lambda kept: self._store.transaction(
                [], [Put(self._keys.build(build_id), done, kept), *doomed]
            )
        )
        return Freed(entry.branch, None)

    async def _release(self, build_id: str, running: KeyValue) -> None:
        """Free the lock, running entry and slot of a build, as read in ``running`` or since."""
        if not await release_running(self._store, self._keys, running):
            await release_build(self._store, self._keys, build_id)

    async def drop_waiting(self, waiting: Waiting, outcome: str) -> bool:
        """Take a waiting request out of its queue, if it is still there; True if it was."""
        build_id = waiting.request.build_id
        branch = self._keys.branch_of_queue_item(waiting.item.key)
        done = build_note(Phase.DONE, branch, outcome)
        return await self._retention.writing(
            lambda kept: self._store.transaction(
                [Compare.unchanged(waiting.item)],
                [Delete(waiting.item.key), Put(self._keys.build(build_id), done, kept)],
            )
        )
