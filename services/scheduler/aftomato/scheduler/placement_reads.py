"""What the store says of builds and branches: notes, queues, locks, running entries.

Reads only, shared by the two sides that write: :class:`~aftomato.scheduler.placement.Placement`
(queueing and promotion) and :class:`~aftomato.scheduler.finishing.Finishing` (ending builds).
Both read what promoting a branch depends on (:meth:`PlacementReads.promotion_reads`) in the
same transaction as their writes, so the promotion that follows needs no read of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.common.coordination import CoordinationStore, KeyValue, Snapshot
from aftomato.common.coordination.keys import (
    BuildEntry,
    BuildKeys,
    Phase,
    RunningBuild,
    branch_key,
)
from aftomato.common.messages import BuildRequested

READ_BATCH = 100
"""Keys per read: etcd refuses transactions of over 128 operations by default."""


@dataclass(frozen=True)
class Waiting:
    item: KeyValue
    request: BuildRequested


class PlacementReads:
    def __init__(self, store: CoordinationStore, keys: BuildKeys, *, max_running: int) -> None:
        self._store = store
        self.keys = keys
        self._max_running = max_running

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
        keys, prefixes = self.promotion_reads(branch, newest=newest)
        return await self._store.read(keys=keys, prefixes=prefixes)

    def why_waiting(self, branch: str, seen: Snapshot) -> str:
        """Why a request of ``branch`` could not start, as :meth:`view` saw the branch."""
        if seen.keys[self.keys.queue_closed] is not None:
            return "the queue is closed"
        lock = seen.keys[self.keys.lock(branch)]
        if lock is not None:
            return f"build {lock.value.decode()} of this branch is running"
        return f"the limit of {self._max_running} running builds is reached"

    def promotion_reads(self, branch: str, *, newest: bool) -> tuple[list[str], list[str]]:
        """The keys and prefixes a promotion on ``branch`` depends on: the lock, the queue gate,
        the queue, the slots (under a limit), the newest started request (``newest``)."""
        keys = [self.keys.lock(branch), self.keys.queue_closed]
        if newest:
            keys.append(self.keys.newest_started(branch))
        prefixes = [self.keys.queue(branch)]
        if self._max_running > 0:
            prefixes.append(self.keys.slots)
        return keys, prefixes

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


def build_note(phase: Phase, branch: str, outcome: str | None = None) -> bytes:
    """A build's note (``builds/<id>``) as stored, to write or to compare with."""
    return BuildEntry(phase=phase, branch=branch, outcome=outcome).model_dump_json().encode()
