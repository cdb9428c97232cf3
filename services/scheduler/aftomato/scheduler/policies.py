"""The projects' concurrency policies: ``queue``, ``supersede``, ``cancel-previous``.

``queue`` runs every request in order. ``supersede`` keeps only the newest request of a branch:
the others waiting end ``cancelled``, with a reason naming the newer build, and so does a request
older than the build already running. ``cancel-previous`` also stops the running build when a
newer request arrives. Which requests lose is a pure function of the requests' times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aftomato.common.bus import Bus
from aftomato.common.coordination.keys import split_branch_key
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildFinished, BuildRequested
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.config import Concurrency
from aftomato.common.states import BuildState
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.launcher import Launcher
from aftomato.scheduler.metrics import SchedulerMetrics
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.placement_reads import Waiting

log = get_logger(__name__)


@dataclass(frozen=True)
class Losers:
    newest: BuildRequested
    waiting: tuple[BuildRequested, ...]
    running: BuildRequested | None


def _age(request: BuildRequested) -> tuple[float, str]:
    return (request.requested_at.timestamp(), request.build_id)


def losers(
    waiting: Sequence[BuildRequested],
    running: BuildRequested | None,
    started: BuildRequested | None = None,
) -> Losers | None:
    """Who gives way to the newest request of a branch (None when nothing waits); ``started``:
    the newest ever started there, which may have ended already."""
    if not waiting:
        return None
    everyone = [*waiting, *(r for r in (running, started) if r is not None)]
    newest = max(everyone, key=_age)
    stale = tuple(r for r in waiting if r.build_id != newest.build_id)
    stale_running = running if running and running.build_id != newest.build_id else None
    return Losers(newest, stale, stale_running)


@dataclass(frozen=True)
class Policies:
    bus: Bus
    placement: Placement
    finishing: Finishing
    launcher: Launcher
    scripts: ScriptsReader
    metrics: SchedulerMetrics

    def newest_only(self, branch: str) -> bool:
        """Whether only the newest request of ``branch`` may start (not the oldest waiting)."""
        return self._policy(branch) is not Concurrency.QUEUE

    def _policy(self, branch: str) -> Concurrency:
        project_key, _ = split_branch_key(branch)
        project = self.scripts.catalog.lookup(project_key)
        return project.config.concurrency if project and project.config else Concurrency.QUEUE

    async def apply(self, branch: str) -> bool:
        """Let the newest request of ``branch`` win, as its project's policy says; True when
        that ended any request (what was read of the branch before is stale now)."""
        policy = self._policy(branch)
        if policy is Concurrency.QUEUE:
            return False
        queue = await self.placement.waiting(branch)
        running = await self._running_request(branch)
        started = await self.placement.newest_started(branch)
        found = losers([w.request for w in queue], running, started)
        if found is None:
            return False
        by_id = {w.request.build_id: w for w in queue}
        for loser in found.waiting:
            await self._supersede(by_id[loser.build_id], found.newest)
        if policy is Concurrency.CANCEL_PREVIOUS and found.running is not None:
            reason = f"cancelled by the newer build {found.newest.build_id}"
            await self.launcher.cancel_running(found.running.build_id, reason)
        return bool(found.waiting) or found.running is not None

    async def _running_request(self, branch: str) -> BuildRequested | None:
        holder = await self.placement.holder(branch)
        running = await self.placement.running(holder) if holder else None
        return BuildRequested.model_validate_json(running.request) if running else None

    async def _supersede(self, waiting: Waiting, newest: BuildRequested) -> None:
        if not await self.finishing.drop_waiting(waiting, BuildState.CANCELLED.value):
            return  # started or dropped meanwhile, by this replica or another
        self.metrics.superseded.inc()
        request = waiting.request
        log.info("superseded", build_id=request.build_id, by=newest.build_id)
        await self.bus.publish(
            BuildFinished(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                state=BuildState.CANCELLED,
                reason=f"superseded by the newer build {newest.build_id}",
            )
        )
