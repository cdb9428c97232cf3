"""Builds that cannot go on once ``aftomato up`` stops, ended in their records.

Embedded mode keeps its queues and locks in memory: a build still waiting when the process stops
will never run, and one that was running when the process died has no process any more. At stop
they end ``cancelled``; at the next start, anything still active ends ``errored`` (the process
was killed without a chance to record them). Writes go through the store's one merge rule, so a
build that did finish meanwhile keeps its outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aftomato.common.logging import get_logger
from aftomato.common.records.model import RecordUpdate
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState

log = get_logger(__name__)

STOPPED = "aftomato up stopped before this build could finish"
DIED = "aftomato up was stopped without recording this build (killed, or the machine stopped)"


async def end_active(records: BuildStore, state: BuildState, reason: str) -> int:
    """End every active build in ``state`` with ``reason``; how many there were."""
    active = await records.active()
    now = datetime.now(UTC)
    for record in active:
        await records.apply(
            RecordUpdate(
                build_id=record.build_id,
                project_key=record.project_key,
                branch=record.branch,
                state=state,
                reason=reason,
                finished_at=now,
                occurred_at=now,
            )
        )
    if active:
        log.info("active builds ended", count=len(active), state=state.value)
    return len(active)
