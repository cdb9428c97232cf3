"""Which finished build earns a chat notice: a pure decision, and the history it needs."""

from __future__ import annotations

from aftomato.common.records.model import BuildRecord
from aftomato.common.records.store import BuildStore, walk_history
from aftomato.common.scripts.config import NoticeKind
from aftomato.common.states import BuildState

FAILURES = frozenset({BuildState.FAILED, BuildState.ERRORED, BuildState.TIMED_OUT})
HISTORY_LOOKBACK = 50
"""Records examined for the previous outcome; a branch cancelled more often than this in a row
is treated as having no previous outcome."""


def notice_kind(state: BuildState, previous: BuildState | None) -> NoticeKind | None:
    """A failure notice for a build that did not succeed, a recovery notice for a success whose
    branch's previous outcome was a failure, else none (cancelled builds say nothing)."""
    if state in FAILURES:
        return NoticeKind.FAILURE
    if state is BuildState.SUCCEEDED and previous in FAILURES:
        return NoticeKind.RECOVERY
    return None


async def previous_outcome(records: BuildStore, build: BuildRecord) -> BuildState | None:
    """The final state of the branch's build before ``build`` (cancelled ones skipped).

    History is newest first only to the second, so the newest candidate is chosen among the
    records of the second it was found in.
    """
    best: BuildRecord | None = None
    examined = 0
    async for record in walk_history(records, build.project_key, branch=build.branch):
        examined += 1
        if examined > HISTORY_LOOKBACK or (best and record.build_time < best.build_time):
            break
        if _counts(record, build) and (best is None or record.requested_at > best.requested_at):
            best = record
    return best.state if best else None


def _counts(record: BuildRecord, build: BuildRecord) -> bool:
    earlier = record.requested_at < build.requested_at and record.build_id != build.build_id
    return earlier and record.state.is_final and record.state is not BuildState.CANCELLED
