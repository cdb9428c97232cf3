"""Pod statuses as a kubelet reports them, for tests that play kubelet (pure functions).

Models what Aftomato's build pods need: ``restartPolicy: Never``, init containers (native
sidecars included) before the main ones, phase Running once a main container has started and
Succeeded or Failed once every main container has terminated.
"""

from __future__ import annotations

from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.strategy import now
from tests.support.fake_kube.trees import copy_tree

_GROUPS = {"initContainers": "initContainerStatuses", "containers": "containerStatuses"}


def running() -> Obj:
    return {"running": {"startedAt": now()}}


def terminated(exit_code: int, reason: str | None = None, started_at: str | None = None) -> Obj:
    finished = now()
    return {
        "terminated": {
            "exitCode": exit_code,
            "reason": reason or ("Completed" if exit_code == 0 else "Error"),
            "startedAt": started_at or finished,
            "finishedAt": finished,
        }
    }


def container_status(container: Obj, state: Obj) -> Obj:
    """A ``ContainerStatus`` with the fields the schema requires."""
    return {
        "name": container["name"],
        "image": container["image"],
        "imageID": "",
        "ready": "running" in state,
        "started": "running" in state,
        "restartCount": 0,
        "state": state,
    }


def find_container(pod: Obj, container: str) -> tuple[str, Obj]:
    """The spec group (``containers`` or ``initContainers``) and spec of a container."""
    for group in _GROUPS:
        for spec in pod["spec"].get(group) or []:
            if spec["name"] == container:
                return group, spec
    raise ValueError(f"pod {pod['metadata']['name']} has no container {container!r}")


def started_at(pod: Obj, container: str) -> str | None:
    group, _ = find_container(pod, container)
    for entry in pod.get("status", {}).get(_GROUPS[group], []):
        if entry["name"] == container:
            return entry["state"].get("running", {}).get("startedAt")  # type: ignore[no-any-return]
    return None


def with_container_state(pod: Obj, container: str, state: Obj) -> Obj:
    """The pod's status after ``container`` enters ``state``; the phase follows."""
    group, spec = find_container(pod, container)
    status = copy_tree(pod.get("status") or {})
    by_name = {entry["name"]: entry for entry in status.get(_GROUPS[group], [])}
    by_name[container] = container_status(spec, state)
    order = [c["name"] for c in pod["spec"][group] if c["name"] in by_name]
    status[_GROUPS[group]] = [by_name[name] for name in order]
    status.setdefault("startTime", now())
    status["phase"] = phase(pod["spec"], status)
    return status


def phase(spec: Obj, status: Obj) -> str:
    """The pod phase a kubelet reports for a ``restartPolicy: Never`` pod."""
    states = [entry["state"] for entry in status.get("containerStatuses", [])]
    ended = [s["terminated"]["exitCode"] for s in states if "terminated" in s]
    if len(ended) == len(spec["containers"]):
        return "Succeeded" if not any(ended) else "Failed"
    if any("running" in s or "terminated" in s for s in states):
        return "Running"
    return str(status.get("phase", "Pending"))
