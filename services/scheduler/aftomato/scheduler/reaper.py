"""Freeing locks nobody will free: builds that ended, and builds whose pod vanished.

Normally the watcher ends a build and its lease is revoked. The reaper covers the rest: a build
the scheduler knows ended whose lease survived, and a build whose pod has been missing longer than
a grace period (deleted by hand, its node lost) — that one ends ``errored`` with a reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aftomato.common.bus import Bus
from aftomato.common.coordination.keys import Phase
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildFinished, BuildRequested
from aftomato.common.states import BuildState
from aftomato.scheduler.labels import pod_name
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.pods import BuildPods

log = get_logger(__name__)

VANISHED = "the build pod disappeared before it finished"


class Reaper:
    def __init__(
        self,
        bus: Bus,
        placement: Placement,
        pods: BuildPods,
        *,
        grace_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._placement = placement
        self._pods = pods
        self._grace = grace_seconds
        self._clock = clock
        self._missing_since: dict[str, float] = {}

    async def reap(self) -> list[str]:
        """One round; returns the branches it freed (to promote what waits on them)."""
        freed = []
        seen = set()
        for running in await self._placement.all_running():
            request = BuildRequested.model_validate_json(running.request)
            seen.add(request.build_id)
            entry = await self._placement.entry(request.build_id)
            if entry is not None and entry.phase is Phase.DONE:
                log.info("freeing the lock of a build that ended", build_id=request.build_id)
                await self._placement.finish(request.build_id, entry.outcome or "done")
                freed.append(running.branch)
            elif running.pod_created and await self._vanished(request.build_id):
                await self._end_vanished(request)
                freed.append(running.branch)
        self._missing_since = {k: v for k, v in self._missing_since.items() if k in seen}
        return freed

    async def _vanished(self, build_id: str) -> bool:
        if await self._pods.exists(pod_name(build_id)):
            self._missing_since.pop(build_id, None)
            return False
        since = self._missing_since.setdefault(build_id, self._clock())
        return self._clock() - since >= self._grace

    async def _end_vanished(self, request: BuildRequested) -> None:
        log.warning("build pod vanished; ending the build", build_id=request.build_id)
        await self._bus.publish(
            BuildFinished(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                state=BuildState.ERRORED,
                reason=VANISHED,
            )
        )
        await self._placement.finish(request.build_id, BuildState.ERRORED.value)
        self._missing_since.pop(request.build_id, None)
