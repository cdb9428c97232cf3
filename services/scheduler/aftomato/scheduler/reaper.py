"""Freeing locks nobody will free: builds that ended, and builds whose pod vanished.

Normally the watcher ends a build and releases what it holds (lock, running entry and slot, in
one transaction). The reaper covers the rest: a build the scheduler knows ended whose release
never came (its keys outlive it on the shared lock lease), and a build whose pod has been missing
longer than a grace period (deleted by hand, its node lost) — that one ends ``errored`` with a
reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aftomato.common.bus import Bus
from aftomato.common.coordination.keys import Phase
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildFinished, BuildRequested
from aftomato.common.states import BuildState
from aftomato.scheduler.finishing import Finishing
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
        finishing: Finishing,
        pods: BuildPods,
        *,
        grace_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._placement = placement
        self._finishing = finishing
        self._pods = pods
        self._grace = grace_seconds
        self._clock = clock
        self._missing_since: dict[str, float] = {}

    async def reap(self) -> list[str]:
        """One round; returns the branches it freed (to promote what waits on them).

        A few round trips whatever the number of running builds: their entries a hundred to a
        read, their pods in one list (only when some pod has to be looked for)."""
        running = {
            BuildRequested.model_validate_json(held.request).build_id: held
            for held in await self._placement.all_running()
        }
        entries = await self._placement.entries(list(running))
        ended = {
            build_id for build_id, entry in entries.items() if entry and entry.phase is Phase.DONE
        }
        looked_for = [b for b, held in running.items() if held.pod_created and b not in ended]
        pods = await self._pods.existing() if looked_for else set()
        freed = []
        for build_id in ended:
            entry = entries[build_id]
            log.info("freeing the lock of a build that ended", build_id=build_id)
            await self._finishing.finish(build_id, (entry.outcome if entry else None) or "done")
            freed.append(running[build_id].branch)
        now = self._clock()
        for build_id in looked_for:
            if pod_name(build_id) in pods:
                self._missing_since.pop(build_id, None)
            elif now - self._missing_since.setdefault(build_id, now) >= self._grace:
                await self._end_vanished(
                    BuildRequested.model_validate_json(running[build_id].request)
                )
                freed.append(running[build_id].branch)
        self._missing_since = {k: v for k, v in self._missing_since.items() if k in running}
        return freed

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
        await self._finishing.finish(request.build_id, BuildState.ERRORED.value)
        self._missing_since.pop(request.build_id, None)
