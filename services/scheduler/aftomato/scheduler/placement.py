"""Where a build request waits and when it may run: queues, locks and slots in the store.

Every decision is one compare-and-swap transaction, so any number of scheduler replicas may make
them at once: a request is enqueued once (its build id is remembered), and the head of a branch's
queue is promoted only while the branch's lock is free, the queue open and a slot free. A promoted
build's lock, running entry and slot are written together and deleted together (``release``);
they hang on a lock lease shared with the builds promoted about the same time, which frees them
should every release fail.
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
from aftomato.common.coordination.release import release_build, release_running
from aftomato.common.messages import BuildRequested
from aftomato.scheduler.grouped_writes import GroupedWrites
from aftomato.scheduler.shared_lease import SharedLease, SharedLeases

PROMOTION_ATTEMPTS = 5
READ_BATCH = 100
"""Keys per read: etcd refuses transactions of over 128 operations by default."""


class SlotsFull(Exception):
    """As many builds run as the global limit allows."""


@dataclass(frozen=True)
class Promoted:
    request: BuildRequested
    running: RunningBuild


@dataclass(frozen=True)
class Waiting:
    item: KeyValue
    request: BuildRequested


@dataclass(frozen=True)
class Enqueued:
    new: bool
    """False when this build id was known already (a redelivery): nothing was queued."""
    phase: Phase | None
    """The build's phase just after."""
    seen: Snapshot
    """What promoting its branch depends on, read in the same transaction."""


@dataclass(frozen=True)
class Freed:
    branch: str
    seen: Snapshot | None
    """What promoting ``branch`` depends on, read just after; None when it must be read anew."""


class Placement:
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
        self._store = store
        self.keys = keys
        self._max_running = max_running
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
        keys, prefixes = self._promotion_reads(branch, newest=newest)
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

    def branch_of(self, request: BuildRequested) -> str:
        return branch_key(request.project_key, request.branch)

    async def entry(self, build_id: str) -> BuildEntry | None:
        found = await self._store.get(self.keys.build(build_id))
        return None if found is None else BuildEntry.model_validate_json(found.value)

    async def entries(self, build_ids: list[str]) -> dict[str, BuildEntry | None]:
        """The entries of ``build_ids`` (None where unknown), ``READ_BATCH`` per round trip."""
        found: dict[str, BuildEntry | None] = {}
        for start in range(0, len(build_ids), READ_BATCH):
            batch = [self.keys.build(b) for b in build_ids[start : start + READ_BATCH]]
            seen = await self._store.read(keys=batch)
            for build_id, key in zip(build_ids[start : start + READ_BATCH], batch, strict=True):
                kv = seen.keys[key]
                found[build_id] = None if kv is None else BuildEntry.model_validate_json(kv.value)
        return found

    async def waiting(self, branch: str) -> list[Waiting]:
        items = await self._store.get_prefix(self.keys.queue(branch))
        return [Waiting(kv, BuildRequested.model_validate_json(kv.value)) for kv in items]

    async def waiting_request(self, build_id: str) -> Waiting | None:
        """The request of a build that waits in its queue now."""
        entry = await self.entry(build_id)
        if entry is None or entry.phase is not Phase.WAITING or entry.queue_item is None:
            return None
        item = await self._store.get(entry.queue_item)
        return (
            None if item is None else Waiting(item, BuildRequested.model_validate_json(item.value))
        )

    async def waiting_branches(self) -> list[str]:
        """Branches with requests waiting, the one whose head waited longest first."""
        heads: dict[str, str] = {}
        for key in await self._store.keys(self.keys.queues):  # names only: a backlog is big
            heads.setdefault(self.keys.branch_of_queue_item(key), key.rsplit("/", 1)[1])
        return sorted(heads, key=lambda branch: heads[branch])

    async def holder(self, branch: str) -> str | None:
        """The id of the build holding ``branch``'s lock, if one does."""
        lock = await self._store.get(self.keys.lock(branch))
        return None if lock is None else lock.value.decode()

    async def view(self, branch: str, *, newest: bool = False) -> Snapshot:
        """What promoting ``branch`` depends on, as of now."""
        keys, prefixes = self._promotion_reads(branch, newest=newest)
        return await self._store.read(keys=keys, prefixes=prefixes)

    def why_waiting(self, branch: str, seen: Snapshot) -> str:
        """Why a request of ``branch`` could not start, as :meth:`view` saw the branch."""
        if seen.keys[self.keys.queue_closed] is not None:
            return "the queue is closed"
        lock = seen.keys[self.keys.lock(branch)]
        if lock is not None:
            return f"build {lock.value.decode()} of this branch is running"
        return f"the limit of {self._max_running} running builds is reached"

    async def promote(
        self, branch: str, *, newest: bool = False, seen: Snapshot | None = None
    ) -> Promoted | None:
        """Start the head of ``branch``'s queue (``newest``: its tail) if nothing stops it; None
        when something does. ``seen``: what :meth:`_promotion_reads` names, read just before, so
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

    def _promotion_reads(self, branch: str, *, newest: bool) -> tuple[list[str], list[str]]:
        """The keys and prefixes a promotion on ``branch`` depends on: the lock, the queue gate,
        the queue, the slots (under a limit), the newest started request (``newest``)."""
        keys = [self.keys.lock(branch), self.keys.queue_closed]
        if newest:
            keys.append(self.keys.newest_started(branch))
        prefixes = [self.keys.queue(branch)]
        if self._max_running > 0:
            prefixes.append(self.keys.slots)
        return keys, prefixes

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
            Put(self.keys.build(build_id), _entry(Phase.SCHEDULED, branch)),
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

    async def newest_started(self, branch: str) -> BuildRequested | None:
        """The newest request started on ``branch`` under a newest-wins policy, if any."""
        found = await self._store.get(self.keys.newest_started(branch))
        return None if found is None else BuildRequested.model_validate_json(found.value)

    async def running(self, build_id: str) -> RunningBuild | None:
        found = await self._store.get(self.keys.running(build_id))
        return None if found is None else RunningBuild.model_validate_json(found.value)

    async def all_running(self) -> list[RunningBuild]:
        found = await self._store.get_prefix(self.keys.all_running)
        return [RunningBuild.model_validate_json(kv.value) for kv in found]

    async def mark_pod_created(self, build_id: str, running: RunningBuild) -> bool:
        """Note that the build's pod was made, if the build still holds its lock (committed
        with the marks of the moment: nothing waits on it for latency)."""
        created = running.model_copy(update={"pod_created": True})
        return await self._marks.write(
            [Compare.value_is(self.keys.lock(running.branch), build_id.encode())],
            [Put(self.keys.running(build_id), created.model_dump_json().encode(), running.lease)],
        )

    async def finish(self, build_id: str, outcome: str) -> str | None:
        """Release what the build holds (or remove it from its queue); its branch, if known."""
        seen = await self._store.read(keys=[self.keys.build(build_id), self.keys.running(build_id)])
        freed = await self._finish_as_seen(build_id, outcome, seen)
        return None if freed is None else freed.branch

    async def finish_running(
        self, build_id: str, outcome: str, branch: str, *, newest: bool = False
    ) -> Freed | None:
        """:meth:`finish` for a build that ran on ``branch``, in one round trip when it did: the
        entry is marked done only if it still says scheduled there, and what promoting the
        branch next depends on is read in the same transaction."""
        build, running = self.keys.build(build_id), self.keys.running(build_id)
        keys, prefixes = self._promotion_reads(branch, newest=newest)
        result = await self._retention.writing(
            lambda kept: self._store.transact(
                [Compare.value_is(build, _entry(Phase.SCHEDULED, branch))],
                [Put(build, _entry(Phase.DONE, branch, outcome), kept)],
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
        found = seen.keys[self.keys.build(build_id)]
        if found is None:
            return None
        entry = BuildEntry.model_validate_json(found.value)
        running = seen.keys[self.keys.running(build_id)]
        if running is not None:
            await self._release(build_id, running)
        done = _entry(Phase.DONE, entry.branch, outcome)
        doomed = (
            [Delete(entry.queue_item)] if entry.phase is Phase.WAITING and entry.queue_item else []
        )
        await self._retention.writing(
            lambda kept: self._store.transaction(
                [], [Put(self.keys.build(build_id), done, kept), *doomed]
            )
        )
        return Freed(entry.branch, None)

    async def _release(self, build_id: str, running: KeyValue) -> None:
        """Free the lock, running entry and slot of a build, as read in ``running`` or since."""
        if not await release_running(self._store, self.keys, running):
            await release_build(self._store, self.keys, build_id)

    async def drop_waiting(self, waiting: Waiting, outcome: str) -> bool:
        """Take a waiting request out of its queue, if it is still there; True if it was."""
        build_id = waiting.request.build_id
        branch = self.keys.branch_of_queue_item(waiting.item.key)
        done = _entry(Phase.DONE, branch, outcome)
        return await self._retention.writing(
            lambda kept: self._store.transaction(
                [Compare.unchanged(waiting.item)],
                [Delete(waiting.item.key), Put(self.keys.build(build_id), done, kept)],
            )
        )


def _is_stale(request: BuildRequested, started: KeyValue | None) -> bool:
    """Whether ``request`` is not newer than the newest request started before it."""
    if started is None:
        return False
    newest = BuildRequested.model_validate_json(started.value)
    age = (request.requested_at.timestamp(), request.build_id)
    return age <= (newest.requested_at.timestamp(), newest.build_id)


def _entry(phase: Phase, branch: str, outcome: str | None = None) -> bytes:
    return BuildEntry(phase=phase, branch=branch, outcome=outcome).model_dump_json().encode()
