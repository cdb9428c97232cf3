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
    """The final state of the branch's build before ``build`` (cancelled ones skipped)."""
    examined = 0
    async for record in walk_history(records, build.project_key, branch=build.branch):
        examined += 1
        if examined > HISTORY_LOOKBACK:
            return None
        if record.build_id == build.build_id or record.requested_at > build.requested_at:
            continue
        if record.state.is_final and record.state is not BuildState.CANCELLED:
            return record.state
    return None
