"""A local build's progress written as a Kubernetes pod status (pure functions).

The watcher reads build pods only through their status (``aftomato.watcher.pod_states``), so the
local executor reports a build the way a kubelet reports a ``restartPolicy: Never`` pod: the
``scripts`` init container terminates first, then the ``build`` container runs and terminates;
the phase follows (Pending, Running, then Succeeded or Failed).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

Pod = dict[str, Any]
State = dict[str, Any]

SCRIPTS_CONTAINER = "scripts"
BUILD_CONTAINER = "build"
_GROUPS = {"initContainers": "initContainerStatuses", "containers": "containerStatuses"}


def now() -> str:
    """Now in RFC 3339 (UTC), to the millisecond, so that short local builds have a duration."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pending(manifest: Pod) -> Pod:
    """The pod as the API answers right after creating it."""
    pod = copy.deepcopy(manifest)
    metadata = pod.setdefault("metadata", {})
    metadata["creationTimestamp"] = now()
    metadata["uid"] = f"local-{metadata.get('name', '')}"
    pod["status"] = {"phase": "Pending", "startTime": now()}
    return pod


def running() -> State:
    return {"running": {"startedAt": now()}}


def terminated(exit_code: int, started_at: str | None = None, message: str | None = None) -> State:
    finished = now()
    state: State = {
        "exitCode": exit_code,
        "reason": "Completed" if exit_code == 0 else "Error",
        "startedAt": started_at or finished,
        "finishedAt": finished,
    }
    if message:
        state["message"] = message
    return {"terminated": state}


def started_at(pod: Pod, container: str) -> str | None:
    """When ``container`` started running, if it has."""
    for group in _GROUPS.values():
        for entry in pod.get("status", {}).get(group, []):
            if entry.get("name") == container:
                value = entry["state"].get("running", {}).get("startedAt")
                return str(value) if value else None
    return None


def with_container_state(pod: Pod, container: str, state: State) -> Pod:
    """A copy of ``pod`` after ``container`` entered ``state``; the phase follows."""
    updated = copy.deepcopy(pod)
    status = updated.setdefault("status", {})
    for spec_group, status_group in _GROUPS.items():
        names = [spec["name"] for spec in updated["spec"].get(spec_group) or []]
        if container not in names:
            continue
        entries = {entry["name"]: entry for entry in status.get(status_group, [])}
        entries[container] = {
            "name": container,
            "ready": "running" in state,
            "started": "running" in state,
            "restartCount": 0,
            "state": state,
        }
        status[status_group] = [entries[name] for name in names if name in entries]
    status["phase"] = phase(updated)
    return updated


def phase(pod: Pod) -> str:
    """The phase a kubelet reports: Failed as soon as an init container failed."""
    status = pod.get("status", {})
    for entry in status.get("initContainerStatuses", []):
        if entry["state"].get("terminated", {}).get("exitCode", 0) != 0:
            return "Failed"
    states = [entry["state"] for entry in status.get("containerStatuses", [])]
    codes = [state["terminated"]["exitCode"] for state in states if "terminated" in state]
    if codes and len(codes) == len(pod["spec"].get("containers") or []):
        return "Succeeded" if not any(codes) else "Failed"
    if any("running" in state or "terminated" in state for state in states):
        return "Running"
    return "Pending"


def deadline_exceeded(pod: Pod, seconds: int) -> Pod:
    """A copy of ``pod`` stopped for running past ``activeDeadlineSeconds``."""
    updated = copy.deepcopy(pod)
    status = updated.setdefault("status", {})
    status.update(
        phase="Failed",
        reason="DeadlineExceeded",
        message=f"Pod was active on the node longer than the specified deadline ({seconds} s)",
    )
    return updated


def marked_deleted(pod: Pod, annotations: dict[str, str] | None = None) -> Pod:
    """A copy of ``pod`` being deleted (``deletionTimestamp``), with extra ``annotations``."""
    updated = copy.deepcopy(pod)
    metadata = updated.setdefault("metadata", {})
    metadata.setdefault("deletionTimestamp", now())
    if annotations:
        metadata.setdefault("annotations", {}).update(annotations)
    return updated


def build_environment(pod: Pod) -> dict[str, str]:
    """The build container's plain ``env`` values (secret references have no local meaning)."""
    for container in pod["spec"].get("containers") or []:
        if container.get("name") == BUILD_CONTAINER:
            return {
                variable["name"]: str(variable["value"])
                for variable in container.get("env") or []
                if "value" in variable
            }
    return {}


def sidecars(pod: Pod) -> list[str]:
    """The names of the pod's native sidecars (init containers that keep running)."""
    return [
        container["name"]
        for container in pod["spec"].get("initContainers") or []
        if container.get("restartPolicy") == "Always"
    ]


def cannot_create(message: str) -> State:
    """A container that cannot be created: the watcher ends the build ``errored`` at once."""
    return {"waiting": {"reason": "CreateContainerError", "message": message}}


def deadline_seconds(pod: Pod) -> int | None:
    value = pod["spec"].get("activeDeadlineSeconds")
    return value if isinstance(value, int) else None
