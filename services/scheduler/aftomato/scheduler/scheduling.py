"""What the scheduler does with each message: decide, queue, start, cancel, release.

Handlers are idempotent: a request already known is not queued again, a lock is taken by one
transaction, a pod's name derives from its build, and releasing twice is harmless. A request
whose branch is busy waits in its queue and is announced as ``build.queued``; it starts when the
branch's build finishes (``build.finished``) or when a periodic sweep finds it can.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.common.bus import Bus
from aftomato.common.coordination import Snapshot
from aftomato.common.coordination.keys import Phase, branch_key
from aftomato.common.logging import bind_ids, get_logger
from aftomato.common.messages import (
    BuildCancelRequested,
    BuildFinished,
    BuildQueued,
    BuildRequested,
)
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.decision import decide
from aftomato.common.states import BuildState
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.launcher import Launcher
from aftomato.scheduler.metrics import SchedulerMetrics
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.policies import Policies

log = get_logger(__name__)


@dataclass(frozen=True)
class Scheduler:
    bus: Bus
    placement: Placement
    finishing: Finishing
    scripts: ScriptsReader
    launcher: Launcher
    policies: Policies
    metrics: SchedulerMetrics
    max_running: int

    async def on_requested(self, request: BuildRequested) -> None:
        reason = self._refusal(request)
        if reason is not None:
            await self._end_without_building(request, reason)
            return
        config_error = self._config_error(request)
        if config_error is not None:
            await self._end(request, BuildState.ERRORED, config_error)
            return
        branch = self.placement.branch_of(request)
        newest = self.policies.newest_only(branch)
        if not newest and await self._start_at_once(request, branch):
            return
        enqueued = await self.placement.enqueue(request, newest=newest)
        if not enqueued.new:
            log.info("request already known", phase=enqueued.phase or "unknown")
        started = await self.promote(branch, seen=enqueued.seen)
        if request.build_id in started:
            return  # not waiting: no need to ask
        if enqueued.new and not started and not newest:
            # nothing left the queue since the enqueue read the branch: it waits, for what was seen
            await self._announce_waiting(request, self.placement.why_waiting(branch, enqueued.seen))
        elif await self.placement.waiting_request(request.build_id) is not None:
            seen = await self.placement.view(branch)
            await self._announce_waiting(request, self.placement.why_waiting(branch, seen))

    async def _start_at_once(self, request: BuildRequested, branch: str) -> bool:
        """Start ``request`` on its free branch with no queueing; False when it has to wait or
        was known already (the usual way then finds out which)."""
        promoted = await self.placement.start_at_once(request)
        if promoted is None:
            return False
        if not await self.launcher.launch(promoted):
            await self.promote(branch)  # it ended at once (its pod refused): the next may start
        return True

    async def promote(self, branch: str, seen: Snapshot | None = None) -> list[str]:
        """Start what may start on ``branch`` now (nothing, when it is busy or closed); the ids
        of the builds taken out of its queue. ``seen``: the branch as read just before, if it was.

        The project's policy speaks first (under ``supersede`` only the newest request may
        start). A build whose pod the API refuses ends at once, freeing the branch for the next.
        """
        if await self.policies.apply(branch):
            seen = None  # the policy dropped requests since
        # Under a newest-wins policy, the newest, though an older request may still wait (its
        # handler had not applied the policy yet): the apply after the start drops it.
        newest = self.policies.newest_only(branch)
        started = []
        while (
            promoted := await self.placement.promote(branch, newest=newest, seen=seen)
        ) is not None:
            seen = None  # a start changes the branch
            started.append(promoted.request.build_id)
            with bind_ids(build_id=promoted.request.build_id, event_id=promoted.request.event_id):
                if await self.launcher.launch(promoted):
                    break
        if newest and started:
            await self.policies.apply(branch)
        return started

    async def on_finished(self, finished: BuildFinished) -> None:
        branch = branch_key(finished.project_key, finished.branch)
        freed = await self.finishing.finish_running(
            finished.build_id,
            finished.state.value,
            branch,
            newest=self.policies.newest_only(branch),
        )
        if freed is not None:
            await self.promote(freed.branch, seen=freed.seen)

    async def on_cancel(self, cancel: BuildCancelRequested) -> None:
        entry = await self.placement.entry(cancel.build_id)
        if entry is None or entry.phase is Phase.DONE:
            log.info("nothing to cancel", known=entry is not None)
            return
        waiting = await self.placement.waiting_request(cancel.build_id)
        if waiting is not None:
            if await self.finishing.drop_waiting(waiting, BuildState.CANCELLED.value):
                await self._end(waiting.request, BuildState.CANCELLED, cancel.reason)
            return
        branch = await self.launcher.cancel_running(cancel.build_id, cancel.reason)
        if branch is not None:
            await self.promote(branch)

    async def sweep(self) -> None:
        """Start whatever waits and may run now: after a lock expired, a slot freed, a reopening."""
        for branch in await self.placement.waiting_branches():
            if self.max_running > 0 and await self.placement.slots_full():
                return
            await self.promote(branch)

    def _refusal(self, request: BuildRequested) -> str | None:
        project = self.scripts.catalog.lookup(request.project_key)
        if project is None:
            return f"no project {request.project_key!r} in the build-scripts repository"
        if project.config is None:
            return None
        decision = decide(request, project.config)
        return None if decision.build else decision.reason

    def _config_error(self, request: BuildRequested) -> str | None:
        project = self.scripts.catalog.lookup(request.project_key)
        return project.config_error if project is not None else None

    async def _announce_waiting(self, request: BuildRequested, reason: str) -> None:
        self.metrics.queued.inc()
        await self.bus.publish(
            BuildQueued(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                reason=reason,
            )
        )

    async def _end_without_building(self, request: BuildRequested, reason: str) -> None:
        self.metrics.not_built.labels(_reason_kind(reason)).inc()
        log.info("not building", reason=reason)
        await self._end(request, BuildState.CANCELLED, f"not built: {reason}")

    async def _end(self, request: BuildRequested, state: BuildState, reason: str) -> None:
        await self.bus.publish(
            BuildFinished(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                state=state,
                reason=reason,
            )
        )


def _reason_kind(reason: str) -> str:
    for kind in ("no project", "not managed", "tags", "pull requests"):
        if kind in reason:
            return kind.replace(" ", "_")
    return "other"
