"""Turning a promoted build into a running pod, and stopping one.

A build whose pod the API refuses for good ends ``errored`` with the API's message and gives its
branch back. When the API cannot be reached, the lock is kept and the pod is created by a later
:meth:`Launcher.recover` (creation is idempotent: the pod's name derives from the build id).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aftomato.common.bus import Bus
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildFinished, BuildRequested, BuildScheduled
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.states import BuildState
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.labels import pod_name
from aftomato.scheduler.manifests import GRACE_MARGIN_SECONDS, build_pod
from aftomato.scheduler.metrics import SchedulerMetrics
from aftomato.scheduler.placement import Placement, Promoted
from aftomato.scheduler.pod_settings import PodContext
from aftomato.scheduler.pods import BuildPods, PodRejected, PodsUnavailable

log = get_logger(__name__)

RECOVERY_DELAY_SECONDS = 10.0
"""How long after its promotion a build without a pod is taken for one whose launch failed:
its own launcher creates it well within that, retries included."""
ENDED_MEANWHILE = "the build ended before this pod was made"


@dataclass(frozen=True)
class Launcher:
    bus: Bus
    placement: Placement
    finishing: Finishing
    scripts: ScriptsReader
    pods: BuildPods
    pod_context: PodContext
    metrics: SchedulerMetrics
    clock: Callable[[], float] = time.time

    async def launch(self, promoted: Promoted) -> bool:
        """Create the pod; False when the build ended instead (its branch is free again)."""
        request = promoted.request
        project = self.scripts.catalog.lookup(request.project_key)
        if project is None or project.config is None:
            reason = project.config_error if project else "the project left the build scripts"
            return await self._fail(request, reason or "the project has no configuration", "config")
        manifest = build_pod(request, project.config, self.pod_context)
        with self.metrics.launch_seconds.time():
            try:
                created = await self.pods.create(manifest)
            except PodRejected as rejected:
                return await self._fail(request, f"Kubernetes refused the pod: {rejected}", "api")
            except PodsUnavailable as unavailable:
                log.warning("pod not created yet; will retry", error=str(unavailable))
                return True
        if not await self.placement.mark_pod_created(request.build_id, promoted.running):
            if created:
                await self._withdraw(manifest["metadata"]["name"])
            return False
        self.metrics.scheduled.inc()
        log.info("build pod created", pod=manifest["metadata"]["name"])
        await self.bus.publish(
            BuildScheduled(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                namespace=self.pod_context.namespace,
                pod_name=manifest["metadata"]["name"],
            )
        )
        return True

    async def recover(self) -> None:
        """Create the pods of builds that hold their lock but have had none for a while (a
        crash in between, an API outage); younger ones are still being launched."""
        now = self.clock()
        for running in await self.placement.all_running():
            promoted_at = running.promoted_at or 0.0
            if not running.pod_created and now - promoted_at >= RECOVERY_DELAY_SECONDS:
                request = BuildRequested.model_validate_json(running.request)
                await self.launch(Promoted(request, running))

    async def cancel_running(self, build_id: str, reason: str) -> str | None:
        """Stop a running build; its branch when it ended here (it had no pod), else None."""
        running = await self.placement.running(build_id)
        if running is None:
            return None
        grace = self.pod_context.pod.kill_grace_seconds + GRACE_MARGIN_SECONDS
        if await self.pods.cancel(pod_name(build_id), reason, grace):
            log.info("build pod deleted", reason=reason)
            return None  # the watcher records it cancelled and releases the lock
        request = BuildRequested.model_validate_json(running.request)
        await self.bus.publish(_finished(request, BuildState.CANCELLED, reason))
        return await self.finishing.finish(build_id, BuildState.CANCELLED.value)

    async def _withdraw(self, name: str) -> None:
        """Take back the pod just made for a build that ended meanwhile: cancelled before it had
        one, or ended after a sweep read it and made its pod again; a pod left to run would run
        it again. A pod that ended already ran the build itself, between its making and its
        mark: the watcher finishes it as any other."""
        if await self.pods.withdraw(name, ENDED_MEANWHILE):
            log.warning("withdrew the pod of a build that ended meanwhile", pod=name)
        else:
            log.info("the build ran and ended before its pod was marked made", pod=name)

    async def _fail(self, request: BuildRequested, reason: str, cause: str) -> bool:
        self.metrics.errored.labels(cause).inc()
        log.warning("build ends before its pod runs", reason=reason)
        await self.bus.publish(_finished(request, BuildState.ERRORED, reason))
        await self.finishing.finish(request.build_id, BuildState.ERRORED.value)
        return False


def _finished(request: BuildRequested, state: BuildState, reason: str) -> BuildFinished:
    return BuildFinished(
        build_id=request.build_id,
        project_key=request.project_key,
        branch=request.branch,
        state=state,
        reason=reason,
    )
