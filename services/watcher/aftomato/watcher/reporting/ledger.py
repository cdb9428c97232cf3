"""What was reported for each build and commit, in etcd, so nothing is reported twice or out
of order across redeliveries, replicas and restarts.

Why etcd rather than the build store: reporting needs compare-and-swap on a small entry that
only reporters write, and a claim that several watcher replicas respect; the build store's
merge rule is for build facts, and mixing reporter bookkeeping into records would put the
record path and the reporting path in one failure domain again.

Key ``<prefix>reports/<build id>/<commit>``, value an :class:`Entry`. A reporter *claims* a
state before sending it, then *confirms* it (or *releases* it on failure):

- a state at or below the reported one is done already (a redelivery, or superseded);
- while another claim for a lower or the same state is fresh the caller waits (``BUSY``), so
  ``running`` never lands after ``success``, and a redelivery whose first reporter died sends
  what that one could not; a claim for a higher state makes ours moot;
- a claim older than ``claim_seconds`` (longer than any send may take) is from a reporter that
  died and may be taken over.

Every entry lives on a lease of ``retention_seconds``: the key goes away by itself once no
redelivery of the build's messages can still arrive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict

from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.store import Compare, KeyValue, LeaseNotFound, Put
from aftomato.common.states import BuildState, is_forward

NO_COMMIT = "-"
ATTEMPTS = 10


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True)

    reported: BuildState | None = None
    sending: BuildState | None = None
    since: float = 0.0
    notified: bool = False


class Claim(Enum):
    GRANTED = "granted"
    """Send it, then confirm (or release)."""
    DONE = "done"
    """Reported already, or superseded by a higher state: nothing to send."""
    BUSY = "busy"
    """A lower state is being sent right now: try again shortly."""


@dataclass
class ReportLedger:
    store: CoordinationStore
    prefix: str
    clock: Callable[[], float] = time.time
    claim_seconds: float = 300.0
    retention_seconds: int = 7 * 86_400

    def key(self, build_id: str, commit: str | None) -> str:
        return f"{self.prefix}reports/{build_id}/{commit or NO_COMMIT}"

    async def entry(self, build_id: str, commit: str | None) -> Entry:
        return _entry(await self.store.get(self.key(build_id, commit)))

    async def claim(
        self, build_id: str, commit: str | None, state: BuildState
    ) -> tuple[Claim, BuildState | None]:
        """Whether to send ``state`` now, and the state reported before it."""
        key = self.key(build_id, commit)
        for _ in range(ATTEMPTS):
            kv = await self.store.get(key)
            entry = _entry(kv)
            if entry.reported is not None and not is_forward(entry.reported, state):
                return Claim.DONE, entry.reported
            if entry.sending is not None and self.clock() - entry.since < self.claim_seconds:
                superseded = is_forward(state, entry.sending)
                return (Claim.DONE if superseded else Claim.BUSY), entry.reported
            claimed = entry.model_copy(update={"sending": state, "since": self.clock()})
            if await self._swap(key, kv, claimed):
                return Claim.GRANTED, entry.reported
        return Claim.BUSY, None

    async def confirm(self, build_id: str, commit: str | None, state: BuildState) -> None:
        def reported(entry: Entry) -> Entry:
            forward = entry.reported is None or is_forward(entry.reported, state)
            return entry.model_copy(
                update={
                    "reported": state if forward else entry.reported,
                    "sending": None if entry.sending == state else entry.sending,
                }
            )

        await self._update(build_id, commit, reported)

    async def release(self, build_id: str, commit: str | None, state: BuildState) -> None:
        def released(entry: Entry) -> Entry:
            return entry.model_copy(update={"sending": None}) if entry.sending == state else entry

        await self._update(build_id, commit, released)

    async def mark_notified(self, build_id: str, commit: str | None) -> None:
        await self._update(build_id, commit, lambda e: e.model_copy(update={"notified": True}))

    async def _update(
        self, build_id: str, commit: str | None, change: Callable[[Entry], Entry]
    ) -> None:
        key = self.key(build_id, commit)
        for _ in range(ATTEMPTS):
            kv = await self.store.get(key)
            entry = _entry(kv)
            updated = change(entry)
            if updated == entry or await self._swap(key, kv, updated):
                return
        raise RuntimeError(f"{key} kept changing under {ATTEMPTS} attempts to update it")

    async def _swap(self, key: str, kv: KeyValue | None, entry: Entry) -> bool:
        compare = Compare.absent(key) if kv is None else Compare.unchanged(kv)
        value = entry.model_dump_json().encode()
        if kv is not None and kv.lease:
            try:
                return await self.store.transaction([compare], [Put(key, value, kv.lease)])
            except LeaseNotFound:
                pass  # the retention ran out under a build still being reported: a new one
        lease = await self.store.grant_lease(self.retention_seconds)
        swapped = await self.store.transaction([compare], [Put(key, value, lease)])
        if not swapped:
            await self.store.revoke_lease(lease)
        return swapped


def _entry(kv: KeyValue | None) -> Entry:
    return Entry() if kv is None else Entry.model_validate_json(kv.value)
