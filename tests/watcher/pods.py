"""Build pods as the Kubernetes API returns them (camelCase dicts), at each point of their life.

The metadata and spec are shaped like the scheduler's build pod (init container ``scripts``, a
native sidecar ``postgres``, container ``build``); the statuses are what a kubelet reports:
``status.{phase,reason,message,startTime,conditions,initContainerStatuses,containerStatuses}``
with ``state.{waiting,running,terminated}`` per container.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

Pod = dict[str, Any]

BUILD_ID = "0f3c9a"
IMAGE = "registry.example.com/ci/node:20"
CREATED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
STARTED = CREATED + timedelta(seconds=2)
"""``status.startTime``: the kubelet accepted the pod."""
BUILD_STARTED = CREATED + timedelta(seconds=30)
BUILD_FINISHED = BUILD_STARTED + timedelta(minutes=4)
PENDING_TIMEOUT = timedelta(minutes=5)
NOW = BUILD_FINISHED + timedelta(seconds=5)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- container states


def waiting(name: str, reason: str, message: str | None = None) -> Pod:
    state: Pod = {"reason": reason}
    if message is not None:
        state["message"] = message
    return _status(name, {"waiting": state}, ready=False)


def running(name: str, since: datetime = BUILD_STARTED) -> Pod:
    return _status(name, {"running": {"startedAt": iso(since)}}, ready=True)


def terminated(
    name: str,
    code: int,
    reason: str | None = None,
    message: str | None = None,
    started: datetime = BUILD_STARTED,
    finished: datetime = BUILD_FINISHED,
) -> Pod:
    state: Pod = {
        "exitCode": code,
        "reason": reason or ("Completed" if code == 0 else "Error"),
        "startedAt": iso(started),
        "finishedAt": iso(finished),
        "containerID": f"containerd://{name}0123456789abcdef",
    }
    if message is not None:
        state["message"] = message
    return _status(name, {"terminated": state}, ready=False)


def _status(name: str, state: Pod, *, ready: bool) -> Pod:
    return {
        "name": name,
        "image": IMAGE if name == "build" else "postgres:16",
        "imageID": "",
        "ready": ready,
        "started": "running" in state,
        "restartCount": 0,
        "state": state,
        "lastState": {},
    }


CLONED = terminated("scripts", 0, started=STARTED, finished=STARTED + timedelta(seconds=5))
SIDECAR_UP = running("postgres", since=STARTED + timedelta(seconds=6))
SIDECAR_STOPPED = terminated("postgres", 143, started=STARTED, finished=BUILD_FINISHED)


def condition(
    kind: str, status: bool, reason: str | None = None, message: str | None = None
) -> Pod:
    entry: Pod = {
        "type": kind,
        "status": "True" if status else "False",
        "lastProbeTime": None,
        "lastTransitionTime": iso(STARTED),
    }
    entry |= {key: value for key, value in (("reason", reason), ("message", message)) if value}
    return entry


# ---------------------------------------------------------------- pods


def build_pod(
    phase: str | None = "Pending",
    *,
    init: tuple[Pod, ...] = (),
    build: Pod | None = None,
    started: datetime | None = STARTED,
    conditions: tuple[Pod, ...] = (condition("PodScheduled", True),),
    reason: str | None = None,
    message: str | None = None,
    deleting: bool = False,
    cancelled: str | None = None,
    deadline: int = 3600,
    memory_limit: str | None = "2Gi",
) -> Pod:
    """The build pod with a status made of the given parts (``phase=None``: no status yet)."""
    pod = _manifest(deadline, memory_limit)
    if cancelled is not None:
        pod["metadata"]["annotations"]["aftomato.io/cancelled"] = cancelled
    if deleting:
        pod["metadata"]["deletionTimestamp"] = iso(BUILD_FINISHED)
        pod["metadata"]["deletionGracePeriodSeconds"] = 20
    if phase is None:
        return pod
    status: Pod = {"phase": phase, "conditions": list(conditions), "qosClass": "Burstable"}
    optional = {"reason": reason, "message": message, "startTime": started and iso(started)}
    status |= {key: value for key, value in optional.items() if value is not None}
    if init:
        status["initContainerStatuses"] = list(init)
    if build is not None:
        status["containerStatuses"] = [build]
    pod["status"] = status
    return pod


def _manifest(deadline: int, memory_limit: str | None) -> Pod:
    limits = {"cpu": "2"} | ({"memory": memory_limit} if memory_limit else {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"build-{BUILD_ID}",
            "namespace": "aftomato-builds",
            "uid": "5c1f6a3e-2b7d-4c1e-9a0f-3d2b1c4e5f60",
            "resourceVersion": "48213",
            "creationTimestamp": iso(CREATED),
            "labels": {
                "app.kubernetes.io/managed-by": "aftomato",
                "aftomato.io/build-id": BUILD_ID,
                "aftomato.io/project": "group-sub-app",
                "aftomato.io/branch": "feature-Login",
            },
            "annotations": {"aftomato.io/project-key": "group/sub/app"},
        },
        "spec": {
            "restartPolicy": "Never",
            "activeDeadlineSeconds": deadline,
            "terminationGracePeriodSeconds": 20,
            "nodeName": "worker-2",
            "initContainers": [
                {"name": "scripts", "image": IMAGE, "command": ["git", "clone"]},
                {"name": "postgres", "image": "postgres:16", "restartPolicy": "Always"},
            ],
            "containers": [
                {
                    "name": "build",
                    "image": IMAGE,
                    "command": ["python3", "-m", "aftomato.entrypoint"],
                    "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": limits},
                }
            ],
        },
    }


# ---------------------------------------------------------------- points of a build's life


def created() -> Pod:
    """Just created: the API server has not given it a status yet."""
    return build_pod(None)


def cloning() -> Pod:
    """Scheduled; the scripts are being cloned, the sidecar and the build wait."""
    return build_pod(
        init=(running("scripts", STARTED), waiting("postgres", "PodInitializing")),
        build=waiting("build", "PodInitializing"),
        conditions=(condition("PodScheduled", True), condition("Initialized", False)),
    )


def unschedulable() -> Pod:
    message = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available"
    return build_pod(
        conditions=(condition("PodScheduled", False, "Unschedulable", message),), started=None
    )


def build_waiting(reason: str, message: str | None = None, *, started: datetime = STARTED) -> Pod:
    """The scripts are cloned and the sidecar runs; the build container waits for ``reason``."""
    return build_pod(
        init=(CLONED, SIDECAR_UP), build=waiting("build", reason, message), started=started
    )


def image_pull_backoff(started: datetime = STARTED) -> Pod:
    return build_waiting("ImagePullBackOff", f'Back-off pulling image "{IMAGE}"', started=started)


def sidecars_running(phase: str = "Pending") -> Pod:
    return build_pod(phase, init=(CLONED, SIDECAR_UP), build=waiting("build", "ContainerCreating"))


def build_running(**pod: Any) -> Pod:
    return build_pod("Running", init=(CLONED, SIDECAR_UP), build=running("build"), **pod)


def finished(code: int, ended: str | None = None, **pod: Any) -> Pod:
    """The build container exited with ``code`` (``ended``: its reason); the sidecar stopped.

    ``pod``: arguments of :func:`build_pod` (``reason`` and ``message`` are the pod's).
    """
    phase = "Succeeded" if code == 0 else "Failed"
    build = terminated("build", code, ended)
    return build_pod(phase, init=(CLONED, SIDECAR_STOPPED), build=build, **pod)


def oom_killed(**pod: Any) -> Pod:
    return finished(137, "OOMKilled", **pod)


EVICTION = (
    "The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi. "
    "Container build was using 9Gi, request is 0, has larger consumption of ephemeral-storage."
)


def evicted() -> Pod:
    disruption = condition("DisruptionTarget", True, "TerminationByKubelet", EVICTION)
    return finished(137, "Error", conditions=(disruption,), **_failed("Evicted", EVICTION))


DEADLINE = "Pod was active on the node longer than the specified deadline"


def deadline_exceeded(code: int | None = 137, **pod: Any) -> Pod:
    """Past ``activeDeadlineSeconds``: the kubelet fails the pod and stops its containers."""
    if code is None:
        return build_running(**_failed("DeadlineExceeded", DEADLINE), **pod)
    return finished(code, **_failed("DeadlineExceeded", DEADLINE), **pod)


def _failed(reason: str, message: str) -> dict[str, Any]:
    return {"reason": reason, "message": message}


def init_failure(message: str | None = None) -> Pod:
    """``git clone`` failed (exit 128): restartPolicy Never fails the pod."""
    return build_pod(
        "Failed",
        init=(terminated("scripts", 128, message=message), waiting("postgres", "PodInitializing")),
        build=waiting("build", "PodInitializing"),
        conditions=(condition("PodScheduled", True), condition("Initialized", False)),
    )


def cancelling(reason: str = "superseded by build 1a2b3c", code: int | None = None) -> Pod:
    """Marked cancelled by the scheduler and being deleted; ``code``: the build has exited."""
    if code is None:
        return build_running(cancelled=reason, deleting=True)
    return finished(code, cancelled=reason, deleting=True)


def node_lost() -> Pod:
    """Failed by the control plane with no word from the kubelet."""
    message = "Node worker-2 which was running pod build-0f3c9a is unresponsive"
    return build_pod("Failed", **_failed("NodeLost", message))
