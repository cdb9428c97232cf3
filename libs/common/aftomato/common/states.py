"""The build states: one closed set, their meanings and every allowed transition, in one place.

A build moves ``requested → queued → scheduled → running → <final>``; ``queued`` and ``running``
may be skipped, and any state that is not final may end ``cancelled`` or ``errored``. A record
never moves backwards: stores make their writes conditional on :func:`can_transition`.
"""

from __future__ import annotations

from enum import StrEnum


class BuildState(StrEnum):
    """Where a build is in its life. The value is what records, messages and the API carry."""

    REQUESTED = "requested"
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ERRORED = "errored"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


MEANINGS: dict[BuildState, str] = {
    BuildState.REQUESTED: "a webhook, the API or another system asked for the build",
    BuildState.QUEUED: "waiting: the branch is building, the queue is closed or a limit is reached",
    BuildState.SCHEDULED: "the lock is held and the build pod has been created",
    BuildState.RUNNING: "the build script is running in its pod",
    BuildState.SUCCEEDED: "the build script exited with code 0",
    BuildState.FAILED: "the build script exited with a non-zero code",
    BuildState.ERRORED: "Aftomato or Kubernetes could not run the build script (see the reason)",
    BuildState.CANCELLED: "a person, a newer build or a policy stopped the build",
    BuildState.TIMED_OUT: "the build ran past its deadline and was stopped",
}

FINAL_STATES: frozenset[BuildState] = frozenset(
    {
        BuildState.SUCCEEDED,
        BuildState.FAILED,
        BuildState.ERRORED,
        BuildState.CANCELLED,
        BuildState.TIMED_OUT,
    }
)

_ALWAYS_REACHABLE = frozenset({BuildState.CANCELLED, BuildState.ERRORED})

TRANSITIONS: dict[BuildState, frozenset[BuildState]] = {
    BuildState.REQUESTED: frozenset({BuildState.QUEUED, BuildState.SCHEDULED}) | _ALWAYS_REACHABLE,
    BuildState.QUEUED: frozenset({BuildState.SCHEDULED}) | _ALWAYS_REACHABLE,
    BuildState.SCHEDULED: frozenset({BuildState.RUNNING}) | FINAL_STATES,
    BuildState.RUNNING: FINAL_STATES,
    **{final: frozenset() for final in FINAL_STATES},
}
"""The lifecycle. A pod may end before anyone sees it running, hence scheduled → any final state."""

STATE_ORDER: dict[BuildState, int] = {
    BuildState.REQUESTED: 0,
    BuildState.QUEUED: 1,
    BuildState.SCHEDULED: 2,
    BuildState.RUNNING: 3,
    **{final: 4 for final in FINAL_STATES},
}
"""Rank of each state: final states share the highest one, so nothing moves a finished build."""


def can_transition(current: BuildState, new: BuildState) -> bool:
    """Whether ``current → new`` is a step of the lifecycle."""
    return new in TRANSITIONS[current]


def is_forward(current: BuildState, new: BuildState) -> bool:
    """Whether a record in ``current`` may be overwritten with ``new``.

    Events arrive at least once and not always in order (a watcher may see a pod run before the
    scheduler's ``build.scheduled`` arrives), so stores accept any move to a higher rank; the
    lifecycle of :data:`TRANSITIONS` is what producers follow.
    """
    return STATE_ORDER[new] > STATE_ORDER[current]
