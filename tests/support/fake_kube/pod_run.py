"""One pod on the fake node: its containers as local processes, reported as a kubelet reports them.

Init containers run one after the other, each to its end; one that fails, or cannot start, fails
the pod (``restartPolicy: Never``). Then the containers run side by side. Each is reported running
(its log opens), its output appended to its log as it comes, then terminated with its exit code
and reason (``Completed``, ``Error``, or ``StartError`` when its program cannot run); the phase
follows (``kubelet.py``). A container whose configuration cannot be met (a missing Secret) waits
with ``CreateContainerConfigError`` and the pod stays Pending. Native sidecars are not run: a pod
with one fails, saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from tests.support.fake_kube import kubelet
from tests.support.fake_kube.containers import (
    ConfigError,
    LocalImage,
    Secrets,
    local_container,
    volume_folders,
)
from tests.support.fake_kube.control import FakeKube
from tests.support.fake_kube.errors import KubeError, Obj
from tests.support.fake_kube.processes import ContainerProcess
from tests.support.fake_kube.store import DEFAULT_GRACE_SECONDS

START_ERROR_CODE = 128


@dataclass(frozen=True)
class Runtime:
    """What the node gives every pod: its folder, what images mean here, the Secrets."""

    root: Path
    image: LocalImage
    secrets: Secrets


class PodRun:
    def __init__(self, fake: FakeKube, namespace: str, name: str, runtime: Runtime) -> None:
        self._fake = fake
        self._where = (namespace, name)
        self._runtime = runtime
        self._running: set[ContainerProcess] = set()
        self._stop_grace: float | None = None
        self._ended: Obj = {}
        """Phase, reason and message the node reports with the last container's end."""
        self.task = asyncio.create_task(self._run(), name=f"pod {namespace}/{name}")

    @property
    def folder(self) -> Path:
        return self._runtime.root / self._where[0] / self._where[1]

    async def stop(self, grace_seconds: float) -> None:
        """Start no more containers; stop the running ones within the grace period."""
        await self._halt(grace_seconds)
        await asyncio.wait([self.task])  # a failure of the run stays on its task

    def _stopping(self) -> float | None:
        """The grace period of a stop under way (a method: it changes across awaits)."""
        return self._stop_grace

    async def _halt(self, grace_seconds: float) -> None:
        self._stop_grace = grace_seconds
        await asyncio.gather(*(p.stop(grace_seconds) for p in list(self._running)))

    async def _run(self) -> None:
        try:
            pod = self._fake.pod(*self._where)
        except KubeError:  # deleted before the node got to it
            return
        deadline = pod["spec"].get("activeDeadlineSeconds")
        watchdog = None if deadline is None else asyncio.create_task(self._deadline(pod, deadline))
        try:
            await self._containers(pod)
        finally:
            if watchdog is not None:
                watchdog.cancel()
        if self._ended:
            self._report(self._ended)

    async def _deadline(self, pod: Obj, seconds: float) -> None:
        """As a kubelet does: past the deadline, stop the containers; the pod fails with
        ``DeadlineExceeded``."""
        await asyncio.sleep(seconds)
        self._ended = {
            "phase": "Failed",
            "reason": "DeadlineExceeded",
            "message": "Pod was active on the node longer than the specified deadline",
        }
        await self._halt(pod["spec"].get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS))

    async def _containers(self, pod: Obj) -> None:
        spec = pod["spec"]
        for container in spec.get("initContainers") or []:
            if container.get("restartPolicy") == "Always":
                self._report(
                    {
                        "phase": "Failed",
                        "reason": "Unsupported",
                        "message": "the fake node does not run native sidecars",
                    }
                )
                return
            code = await self._container(pod, container)
            if code != 0:
                if code is not None:
                    self._report({"phase": "Failed"})
                return
        await asyncio.gather(*(self._container(pod, c) for c in spec["containers"]))

    async def _container(self, pod: Obj, container: Obj) -> int | None:
        """Run one container to its end; its exit code, or None when it never started."""
        if self._stopping() is not None:
            return None
        name = container["name"]
        try:
            local = local_container(
                pod, container, self.folder, self._runtime.image, self._runtime.secrets
            )
            for folder in volume_folders(pod, self.folder).values():
                folder.mkdir(parents=True, exist_ok=True)
            process = await ContainerProcess.start(local)
        except ConfigError as error:
            waiting = {"waiting": {"reason": "CreateContainerConfigError", "message": str(error)}}
            self._state(name, waiting)
            return None
        except OSError as error:
            self._state(name, _start_error(error))
            return START_ERROR_CODE
        self._running.add(process)
        try:
            self._state(name, kubelet.running())
            grace = self._stopping()
            if grace is not None:  # stopped while it was starting
                await process.stop(grace)
            code = await process.stream(lambda text: self._log(name, text))
        finally:
            self._running.discard(process)
        self._finish(name, code)
        return code

    def _state(self, container: str, state: Obj) -> None:
        with contextlib.suppress(KubeError):  # the pod is gone: nobody reads its status
            self._fake.update_status(
                *self._where,
                kubelet.with_container_state(self._fake.pod(*self._where), container, state),
            )

    def _finish(self, container: str, code: int) -> None:
        """Its end, and the pod's with it when the node ended the pod (one status update, as
        the watcher must not see a killed container without the reason)."""
        with contextlib.suppress(KubeError):
            pod = self._fake.pod(*self._where)
            started = kubelet.started_at(pod, container)
            state = kubelet.terminated(code, started_at=started)
            status = kubelet.with_container_state(pod, container, state) | self._ended
            self._fake.update_status(*self._where, status)

    def _log(self, container: str, text: str) -> None:
        with contextlib.suppress(KubeError, ValueError):  # the pod or its log is gone
            self._fake.append_log(*self._where, container, text)

    def _report(self, status: Obj) -> None:
        with contextlib.suppress(KubeError):
            self._fake.update_status(*self._where, status)


def _start_error(error: OSError) -> Obj:
    state = kubelet.terminated(START_ERROR_CODE, "StartError")
    state["terminated"]["message"] = f"failed to start the container process: {error}"
    return state
