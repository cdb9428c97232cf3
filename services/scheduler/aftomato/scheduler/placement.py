"""Where a build request waits and when it may run: queues, locks and slots in the store.

Every decision is one compare-and-swap transaction, so any number of scheduler replicas may make
them at once: a request is enqueued once (its build id is remembered), and the head of a branch's
queue is promoted only while the branch's lock is free, the queue open and a slot free. A promoted
build's lock, running entry and slot are written together and deleted together (``release``);
they hang on a lock lease shared with the builds promoted about the same time, which frees them
should every release fail. What it reads comes from :mod:`.placement_reads`, shared with
:mod:`.finishing`, which ends builds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aftomato.common.coordination import (
    Compare,
    CoordinationStore,
    Delete,
    KeyValue,
    Operation,
    Put,
    Snapshot,
)
from aftomato.common.coordination.keys import (
    BuildEntry,
    BuildKeys,
    Phase,
    RunningBuild,
    branch_key,
)
from aftomato.common.messages import BuildRequested
from aftomato.scheduler.grouped_writes import GroupedWrites
from aftomato.scheduler.placement_reads import PlacementReads, Waiting, build_note
from aftomato.scheduler.shared_lease import SharedLease, SharedLeases

PROMOTION_ATTEMPTS = 5


class SlotsFull(Exception):
    """As many builds run as the global limit allows."""


@dataclass(frozen=True)
class Promoted:
    request: BuildRequested
    running: RunningBuild


@dataclass(frozen=True)
class Enqueued:
    new: bool
    """False when this build id was known already (a redelivery): nothing was queued."""
    phase: Phase | None
    """The build's phase just after."""
    seen: Snapshot
    """What promoting its branch depends on, read in the same transaction."""


class Placement(PlacementReads):
    def __init__(
        self,
        store: CoordinationStore,
        keys: BuildKeys,
        *,
        max_running: int,
        lease_seconds: Callable[[BuildRequested], int],
        retention: SharedLease,
        lock_leases: SharedLeases,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(store, keys, max_running=max_running)
        self._lease_seconds = lease_seconds
        self._retention = retention
        self._lock_leases = lock_leases
        self._marks = GroupedWrites(store)
        self._clock = clock

    async def enqueue(self, request: BuildRequested, *, newest: bool = False) -> Enqueued:
        """Put the request in its branch's queue unless its build id is known already; in the
        same round trip, read what promoting the branch depends on."""
        branch = branch_key(request.project_key, request.branch)
        build = self.keys.build(request.build_id)
        item = self.keys.queue_item(branch, request.requested_at, request.build_id)
        entry = BuildEntry(phase=Phase.WAITING, branch=branch, queue_item=item)
        keys, prefixes = self.promotion_reads(branch, newest=newest)
        outcome = await self._store.transact(
            [Compare.absent(build)],
            [
                Put(build, entry.model_dump_json().encode()),
                Put(item, request.model_dump_json().encode()),
            ],
            keys=[build, *keys],
            prefixes=prefixes,
        )
        found = outcome.seen.keys[build]
        phase = None if found is None else BuildEntry.model_validate_json(found.value).phase
        return Enqueued(outcome.succeeded, phase, outcome.seen)

    async def start_at_once(self, request: BuildRequested) -> Promoted | None:
        """Start a request without queueing it first, in one transaction, if its build id is
        new and its branch free: the lock not held, nothing waiting, the queue open. None when
        any of that fails, or under a limit of running builds: it takes the usual way then
        (:meth:`enqueue`, then :meth:`promote`). For branches whose oldest request starts first.
        """
        if self._max_running > 0:
            return None  # a slot would have to be read first
        branch = branch_key(request.project_key, request.branch)
        build_id, lock = request.build_id, self.keys.lock(branch)
        compares = [
            Compare.absent(self.keys.build(build_id)),
            Compare.absent(lock),
            Compare.absent(self.keys.queue_closed),
            Compare.nothing_under(self.keys.queue(branch)),
        ]

        async def take(lease: int) -> RunningBuild | None:
            running, operations = self._taking(branch, build_id, request.model_dump_json(), lease)
            return running if await self._store.transaction(compares, operations) else None

        lock_lease = self._lock_leases.covering(self._lease_seconds(request))
        running = await lock_lease.writing(take)
        return None if running is None else Promoted(request, running)

    async def promote(
        self, branch: str, *, newest: bool = False, seen: Snapshot | None = None
    ) -> Promoted | None:
        """Start the head of ``branch``'s queue (``newest``: its tail) if nothing stops it; None
        when something does. ``seen``: what :meth:`promotion_reads` names, read just before, so
        the first attempt needs no read of its own (every attempt is a compare-and-swap anyway).
        """
        lock, started = self.keys.lock(branch), self.keys.newest_started(branch)
        limited = self._max_running > 0
        for _ in range(PROMOTION_ATTEMPTS):
            if seen is None:
                seen = await self.view(branch, newest=newest)
            queue = seen.prefixes[self.keys.queue(branch)]
            if seen.keys[lock] is not None or seen.keys[self.keys.queue_closed] is not None:
                return None
            if not queue:
                return None
            try:
                slot = self._slot_among(seen.prefixes[self.keys.slots]) if limited else None
            except SlotsFull:
                return None
            item = queue[-1] if newest else queue[0]
            head = Waiting(item, BuildRequested.model_validate_json(item.value))
            if newest and _is_stale(head.request, seen.keys[started]):
                return None  # a newer request ran already: the policy drops this one
            promoted = await self._try_promote(branch, head, slot, newest=newest)
            if promoted is not None:
                return promoted
            seen = None
        return None

    async def _try_promote(
        self, branch: str, head: Waiting, slot: int | None, *, newest: bool = False
    ) -> Promoted | None:
        build_id = head.request.build_id
        compares = [
            Compare.absent(self.keys.lock(branch)),
            Compare.absent(self.keys.queue_closed),
            Compare.unchanged(head.item),
        ]
        if slot is not None:
            compares.append(Compare.absent(self.keys.slot(slot)))

        async def take(lease: int) -> RunningBuild | None:
            request = head.item.value.decode()
            running, taking = self._taking(branch, build_id, request, lease, slot)
            operations: list[Operation] = [Delete(head.item.key), *taking]
            if not newest:
                return running if await self._store.transaction(compares, operations) else None
            # kept as long as finished builds are: it only has to outlive the requests it beat
            started = self.keys.newest_started(branch)
            taken = await self._retention.writing(
                lambda kept: self._store.transaction(
                    compares, [*operations, Put(started, head.item.value, kept)]
                )
            )
            return running if taken else None

        lock_lease = self._lock_leases.covering(self._lease_seconds(head.request))
        running = await lock_lease.writing(take)
        return None if running is None else Promoted(head.request, running)

    def _taking(
        self, branch: str, build_id: str, request: str, lease: int, slot: int | None = None
    ) -> tuple[RunningBuild, list[Operation]]:
        """The build's running entry, and the writes that make it hold ``branch`` on ``lease``."""
        running = RunningBuild(
            request=request, branch=branch, lease=lease, slot=slot, promoted_at=self._clock()
        )
        operations: list[Operation] = [
            Put(self.keys.lock(branch), build_id.encode(), lease),
            Put(self.keys.running(build_id), running.model_dump_json().encode(), lease),
            Put(self.keys.build(build_id), build_note(Phase.SCHEDULED, branch)),
        ]
        if slot is not None:
            operations.append(Put(self.keys.slot(slot), build_id.encode(), lease))
        return running, operations

    async def slots_full(self) -> bool:
        try:
            await self._free_slot()
        except SlotsFull:
            return True
        return False

    async def _free_slot(self) -> int | None:
        """A free slot number, or None when running builds are not limited."""
        if self._max_running <= 0:
            return None
        return self._slot_among(await self._store.get_prefix(self.keys.slots))

    def _slot_among(self, slots: list[KeyValue]) -> int:
        """The lowest slot number not taken in ``slots``; SlotsFull when every one is."""
        taken = {int(kv.key.rsplit("/", 1)[1]) for kv in slots}
        free = [number for number in range(self._max_running) if number not in taken]
        if not free:
            raise SlotsFull
        return free[0]

    async def mark_pod_created(self, build_id: str, running: RunningBuild) -> bool:
        """Note that the build's pod was made, if the build still holds its lock (committed
        with the marks of the moment: nothing waits on it for latency)."""
        created = running.model_copy(update={"pod_created": True})
        return await self._marks.write(
            [Compare.value_is(self.keys.lock(running.branch), build_id.encode())],
            [Put(self.keys.running(build_id), created.model_dump_json().encode(), running.lease)],
        )


def _is_stale(request: BuildRequested, started: KeyValue | None) -> bool:
    """Whether ``request`` is not newer than the newest request started before it."""
    if started is None:
        return False
    newest = BuildRequested.model_validate_json(started.value)
    age = (request.requested_at.timestamp(), request.build_id)
    return age <= (newest.requested_at.timestamp(), newest.build_id)
