"""When a terminating pod's build log is whole: only once its build container has ended."""

from __future__ import annotations

from typing import Any

from aftomato.watcher.pod_facts import read_pod, still_stopping

RUNNING = {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
TERMINATED = {"terminated": {"exitCode": 143, "reason": "Error"}}


def pod(state: dict[str, Any], *, deleting: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "build-x"}
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-01T00:01:00Z"
    status = {"phase": "Running", "containerStatuses": [{"name": "build", "state": state}]}
    return {"metadata": metadata, "status": status}


def test_a_terminating_pod_whose_build_runs_on_is_still_stopping() -> None:
    assert still_stopping(read_pod(pod(RUNNING, deleting=True)))


def test_a_terminating_pod_whose_build_ended_is_not() -> None:
    assert not still_stopping(read_pod(pod(TERMINATED, deleting=True)))


def test_a_pod_not_being_deleted_is_not() -> None:
    assert not still_stopping(read_pod(pod(RUNNING, deleting=False)))
