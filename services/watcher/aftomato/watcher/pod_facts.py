"""What a build pod says about itself, read from the plain dict the Kubernetes API returns.

Pure and forgiving: a field that is missing or of the wrong type reads as "not known" (``None``,
empty), never as an error, so one odd pod cannot stop the watcher. The names are the API's
(camelCase): ``metadata.{labels,annotations,creationTimestamp,deletionTimestamp}``,
``spec.{activeDeadlineSeconds,containers}``, ``status.{phase,reason,message,startTime,conditions,
initContainerStatuses,containerStatuses}``.

Also the words a pod speaks in: Kubernetes' waiting and termination reasons, the entrypoint's exit
codes, and how to quote them. The names mirror what the scheduler writes into the pod
(``aftomato.scheduler.manifests``, ``.labels``, ``.pods``) and the codes the entrypoint's
``ExitCode``; services do not import each other, so ``tests/watcher`` checks that they agree.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

BUILD_CONTAINER = "build"
"""The main container: the entrypoint running the project's ``build.sh``."""
SCRIPTS_CONTAINER = "scripts"
"""The init container that clones the build-scripts repository."""
BUILD_ID_LABEL = "aftomato.io/build-id"
CANCELLED_ANNOTATION = "aftomato.io/cancelled"
"""Set by the scheduler, with the reason as value, before it deletes a pod it cancels."""
ENDED_PHASES = frozenset({"Succeeded", "Failed"})
MAX_MESSAGE = 1000
"""Kubernetes messages are quoted at most this long (records keep reasons up to 4096)."""

Json = Mapping[str, Any]

SIGNAL_BASE = 128
ENTRYPOINT_ERRORS: dict[int, str] = {
    120: "the build script was not found or the project key was refused (exit 120)",
    121: "the build succeeded but uploading its artifacts failed (exit 121)",
    122: "the build entrypoint failed (exit 122); its log holds the traceback",
    123: "the build's configuration or workspace is unusable (exit 123)",
}
"""The entrypoint's own codes (``ExitCode``): Aftomato, not the project's script, chose them."""
START_ERRORS = frozenset({"StartError", "ContainerCannotRun"})
CANNOT_START = frozenset(
    {
        "InvalidImageName",
        "ErrImageNeverPull",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
"""Waiting reasons that end the build at once: waiting longer will not help."""
MAY_RECOVER = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "RegistryUnavailable", "CrashLoopBackOff"}
)
"""Waiting reasons that end the build only once the pod has been pending too long."""


@dataclass(frozen=True)
class Container:
    """One container's current state (``status.*ContainerStatuses[].state``)."""

    name: str
    waiting: str | None = None
    """``state.waiting.reason``: ``ContainerCreating``, ``ImagePullBackOff``, ..."""
    running_since: datetime | None = None
    exit_code: int | None = None
    """``state.terminated.exitCode``; None while the container has not terminated."""
    ended: str | None = None
    """``state.terminated.reason``: ``Completed``, ``Error``, ``OOMKilled``, ``StartError``, ..."""
    message: str | None = None
    """The waiting or terminated state's message, cut to :data:`MAX_MESSAGE`."""
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class PodFacts:
    """The parts of a pod the build state depends on."""

    phase: str | None = None
    reason: str | None = None
    """``status.reason``: ``DeadlineExceeded``, ``Evicted``, ``OutOfcpu``, ..."""
    message: str | None = None
    deleting: bool = False
    """``metadata.deletionTimestamp`` is set: the pod is terminating."""
    cancelled: str | None = None
    """The value of the cancellation annotation (the reason); None when it is absent."""
    deadline_seconds: int | None = None
    pending_since: datetime | None = None
    """``status.startTime``, else ``metadata.creationTimestamp``."""
    unschedulable: str | None = None
    """The message of a ``PodScheduled=False`` condition; None when the pod is scheduled."""
    memory_limit: str | None = None
    """The build container's ``resources.limits.memory`` (``2Gi``)."""
    build: Container | None = None
    scripts: Container | None = None
    containers: tuple[Container, ...] = ()
    """Every container with a status, init containers (sidecars included) first."""

    @property
    def ended(self) -> bool:
        """The pod's phase is final, or the build container has terminated."""
        return self.phase in ENDED_PHASES or (
            self.build is not None and self.build.exit_code is not None
        )

    def waiting_in(self, reasons: frozenset[str]) -> Container | None:
        """The first container waiting for one of ``reasons``."""
        return next((c for c in self.containers if c.waiting in reasons), None)


def still_stopping(pod: PodFacts) -> bool:
    """The pod is being deleted while its build container runs on (its grace period): the
    build's log is not whole yet."""
    build = pod.build
    return pod.deleting and build is not None and build.exit_code is None and build.ended is None


def build_id_of(pod: Json) -> str | None:
    """The build id from the ``aftomato.io/build-id`` label (build ids are valid label values)."""
    return text(_mapping(_mapping(pod.get("metadata")).get("labels")).get(BUILD_ID_LABEL))


def pod_name_of(pod: Json) -> str | None:
    return text(_mapping(pod.get("metadata")).get("name"))


def read_pod(pod: Json) -> PodFacts:
    metadata, spec, status = (_mapping(pod.get(key)) for key in ("metadata", "spec", "status"))
    containers = tuple(
        _container(entry)
        for key in ("initContainerStatuses", "containerStatuses")
        for entry in _list(status.get(key))
    )
    by_name = {container.name: container for container in containers}
    annotations = _mapping(metadata.get("annotations"))
    cancelled = annotations.get(CANCELLED_ANNOTATION)
    return PodFacts(
        phase=text(status.get("phase")),
        reason=text(status.get("reason")),
        message=text(status.get("message")),
        deleting=metadata.get("deletionTimestamp") is not None,
        cancelled=None if cancelled is None else str(cancelled),
        deadline_seconds=_integer(spec.get("activeDeadlineSeconds")),
        pending_since=timestamp(status.get("startTime"))
        or timestamp(metadata.get("creationTimestamp")),
        unschedulable=_unschedulable(status),
        memory_limit=_memory_limit(spec),
        build=by_name.get(BUILD_CONTAINER),
        scripts=by_name.get(SCRIPTS_CONTAINER),
        containers=containers,
    )


def _container(entry: Json) -> Container:
    state = _mapping(entry.get("state"))
    waiting, running, ended = (
        _mapping(state.get(key)) for key in ("waiting", "running", "terminated")
    )
    return Container(
        name=text(entry.get("name")) or "",
        waiting=text(waiting.get("reason")) or ("Waiting" if "waiting" in state else None),
        running_since=timestamp(running.get("startedAt")),
        exit_code=_integer(ended.get("exitCode")),
        ended=text(ended.get("reason")),
        message=text(ended.get("message")) or text(waiting.get("message")),
        started_at=timestamp(ended.get("startedAt")) or timestamp(running.get("startedAt")),
        finished_at=timestamp(ended.get("finishedAt")),
    )


def _unschedulable(status: Json) -> str | None:
    for condition in _list(status.get("conditions")):
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return text(condition.get("message")) or text(condition.get("reason")) or "unknown"
    return None


def _memory_limit(spec: Json) -> str | None:
    for container in _list(spec.get("containers")):
        if container.get("name") == BUILD_CONTAINER:
            limits = _mapping(_mapping(container.get("resources")).get("limits"))
            return text(limits.get("memory"))
    return None


def text(value: object) -> str | None:
    """A non-empty string, cut to :data:`MAX_MESSAGE`; anything else is None."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value if len(value) <= MAX_MESSAGE else value[: MAX_MESSAGE - 1] + "…"


def timestamp(value: object) -> datetime | None:
    """An RFC 3339 time (``2024-05-01T12:00:00Z``) as an aware datetime; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mapping(value: object) -> Json:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Json]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def describe(reason: str | None, message: str | None) -> str:
    """``reason: message`` of what is known."""
    return ": ".join(part for part in (reason, message) if part) or "no reason given"


def duration(span: timedelta) -> str:
    """``1h30m``, ``5m``, ``45s``: whole seconds, zero parts left out."""
    hours, rest = divmod(int(span.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"


def signal_name(code: int) -> str | None:
    """``signal 9 (SIGKILL)`` for 137; None if ``code`` is not 128 + a signal number."""
    try:
        return f"signal {code - SIGNAL_BASE} ({signal.Signals(code - SIGNAL_BASE).name})"
    except ValueError:
        return None
