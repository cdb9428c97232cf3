"""What each ``build.*`` event says about a record: one pure mapping, message → update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftomato.common.messages import (
    BuildFinished,
    BuildMessage,
    BuildQueued,
    BuildRequested,
    BuildScheduled,
    BuildStarted,
    Message,
)
from aftomato.common.records.model import RecordUpdate
from aftomato.common.states import BuildState


def _requested(message: BuildRequested) -> dict[str, Any]:
    return {
        "state": BuildState.REQUESTED,
        "commit": message.commit,
        "ref_type": message.ref_type,
        "pull_request": message.pull_request,
        "source": message.source,
        "actor": message.actor,
        "requested_at": message.requested_at,
    }


def _queued(message: BuildQueued) -> dict[str, Any]:
    return {"state": BuildState.QUEUED, "reason": message.reason, "queued_at": message.occurred_at}


def _scheduled(message: BuildScheduled) -> dict[str, Any]:
    return {
        "state": BuildState.SCHEDULED,
        "pod_name": message.pod_name,
        "scheduled_at": message.occurred_at,
    }


def _started(message: BuildStarted) -> dict[str, Any]:
    return {
        "state": BuildState.RUNNING,
        "pod_name": message.pod_name,
        "started_at": message.started_at,
    }


def _finished(message: BuildFinished) -> dict[str, Any]:
    return {
        "state": message.state,
        "reason": message.reason,
        "exit_code": message.exit_code,
        "finished_at": message.finished_at,
    }


_Facts = Callable[[Any], dict[str, Any]]
_FACTS: dict[type[Message], _Facts] = {
    BuildRequested: _requested,
    BuildQueued: _queued,
    BuildScheduled: _scheduled,
    BuildStarted: _started,
    BuildFinished: _finished,
}


def update_from(message: Message) -> RecordUpdate | None:
    """The update ``message`` makes to its build's record, or None if it says nothing of it.

    ``build.cancel`` is a request, not a fact: the record changes when the build ends.
    """
    facts = _FACTS.get(type(message))
    if facts is None or not isinstance(message, BuildMessage):
        return None
    return RecordUpdate(
        build_id=message.build_id,
        project_key=message.project_key,
        branch=message.branch,
        occurred_at=message.occurred_at,
        **facts(message),
    )
