"""Builds whose pod is gone: no record stays active after its pod ended.

At every full listing, an active record whose pod is missing starts a clock; after a grace
period (the pod may be just being created, or a listing may be stale) the build ends ``errored``
with "pod vanished", its lock is released and ``build.finished`` published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aftomato.common.bus import Bus
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.release import release_build
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildFinished
from aftomato.common.records.model import BuildRecord, RecordUpdate
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState
from aftomato.watcher.pod_source import Pod

log = get_logger(__name__)

VANISHED = "pod vanished: the build pod disappeared before the watcher saw it end"
WITH_POD = frozenset({BuildState.SCHEDULED, BuildState.RUNNING})


class VanishedPods:
    def __init__(
        self,
        records: BuildStore,
        coordination: CoordinationStore,
        keys: BuildKeys,
        bus: Bus,
        *,
        clock: Callable[[], datetime],
        grace: timedelta,
    ) -> None:
        self._records = records
        self._coordination = coordination
        self._keys = keys
        self._bus = bus
        self._clock = clock
        self._grace = grace
        self._missing_since: dict[str, datetime] = {}

    async def check(self, pods: list[Pod]) -> None:
        """Called with every full listing of the build pods."""
        present = {str((pod.get("metadata") or {}).get("name")) for pod in pods}
        now = self._clock()
        still_missing: dict[str, datetime] = {}
        for record in await self._records.active():
            if record.state not in WITH_POD or record.pod_name in present:
                continue
            since = self._missing_since.get(record.build_id, now)
            if now - since >= self._grace:
                await self._end(record)
            else:
                still_missing[record.build_id] = since
        self._missing_since = still_missing

    async def _end(self, record: BuildRecord) -> None:
        log.warning("build pod vanished", build_id=record.build_id, pod=record.pod_name)
        ended = await self._records.apply(
            RecordUpdate(
                build_id=record.build_id,
                project_key=record.project_key,
                branch=record.branch,
                state=BuildState.ERRORED,
                reason=VANISHED,
                finished_at=self._clock(),
            )
        )
        await release_build(self._coordination, self._keys, record.build_id)
        await self._bus.publish(
            BuildFinished(
                build_id=record.build_id,
                project_key=record.project_key,
                branch=record.branch,
                state=ended.state if ended.state.is_final else BuildState.ERRORED,
                reason=ended.reason,
                exit_code=ended.exit_code,
            )
        )
