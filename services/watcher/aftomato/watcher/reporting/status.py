"""What a commit status says about a build at one state: a pure mapping, one table.

Each SCM spells the kinds its own way (``success``, ``SUCCESSFUL``...); the modules of the SCMs
translate :class:`StatusKind`. ``scheduled`` is not reported: it lies between ``queued`` and
``running`` and would only cost one more request per build.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aftomato.common.messages import Source
from aftomato.common.states import BuildState

DESCRIPTION_LIMIT = 140
"""GitHub refuses longer descriptions; the other SCMs take this much happily."""


class StatusKind(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"
    CANCELLED = "cancelled"


_KINDS: dict[BuildState, tuple[StatusKind, str]] = {
    BuildState.REQUESTED: (StatusKind.PENDING, "Build requested"),
    BuildState.QUEUED: (StatusKind.PENDING, "Queued"),
    BuildState.RUNNING: (StatusKind.RUNNING, "Build running"),
    BuildState.SUCCEEDED: (StatusKind.SUCCESS, "Build succeeded"),
    BuildState.FAILED: (StatusKind.FAILURE, "Build failed"),
    BuildState.TIMED_OUT: (StatusKind.FAILURE, "Build timed out"),
    BuildState.ERRORED: (StatusKind.ERROR, "Build could not run"),
    BuildState.CANCELLED: (StatusKind.CANCELLED, "Build cancelled"),
}

REPORTED_STATES = frozenset(_KINDS)


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """The commit a build is about, and where it came from."""

    build_id: str
    project_key: str
    branch: str
    source: Source | None
    commit: str | None


@dataclass(frozen=True, slots=True)
class CommitStatus:
    state: BuildState
    kind: StatusKind
    description: str
    target_url: str
    context: str


def status_for(
    state: BuildState, reason: str | None, *, build_id: str, public_url: str, context: str
) -> CommitStatus | None:
    """The status to show for ``state``, or None for a state that is not reported."""
    if state not in _KINDS:
        return None
    kind, headline = _KINDS[state]
    description = f"{headline}: {reason}" if reason else headline
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "…"
    return CommitStatus(state, kind, description, build_page(public_url, build_id), context)


def build_page(public_url: str, build_id: str) -> str:
    return f"{public_url.rstrip('/')}/builds/{build_id}"


def same_kind(previous: BuildState | None, state: BuildState) -> bool:
    """Whether the SCM already shows ``state``'s kind after ``previous`` was reported."""
    return previous in _KINDS and state in _KINDS and _KINDS[previous][0] is _KINDS[state][0]
