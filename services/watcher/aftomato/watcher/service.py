"""The watcher's parts wired together, given its clients: used by ``aftomato watcher`` and by
``aftomato up`` alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aftomato.common.blobs.store import BlobStore
from aftomato.common.bus import Bus
from aftomato.common.bus.topology import SERVICE_QUEUES
from aftomato.common.components import Consumer
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.records.store import BuildStore
from aftomato.common.runner import Component
from aftomato.watcher.pod_source import Pod, PodSource
from aftomato.watcher.pod_watch import PodWatch
from aftomato.watcher.recorder import record_handler
from aftomato.watcher.reporting.wiring import ReportingWiring
from aftomato.watcher.settings import WatcherSettings
from aftomato.watcher.tracker import Tracker
from aftomato.watcher.vanished import VanishedPods

QUEUE = "aftomato.watcher"


@dataclass(frozen=True)
class WatcherParts:
    tracker: Tracker
    components: list[Component]


def compose_watcher(
    *,
    bus: Bus,
    records: BuildStore,
    logs: BlobStore,
    artifacts: BlobStore,
    coordination: CoordinationStore,
    keys: BuildKeys,
    source: PodSource,
    settings: WatcherSettings,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    prefetch: int | None = None,
    reporting: ReportingWiring | None = None,
) -> WatcherParts:
    tracker = Tracker(
        source=source,
        records=records,
        logs=logs,
        artifacts=artifacts,
        coordination=coordination,
        keys=keys,
        bus=bus,
        clock=clock,
        pending_timeout=timedelta(seconds=settings.pending_timeout_seconds),
        keep_failed=timedelta(seconds=settings.keep_failed_pods_seconds),
    )
    vanished = VanishedPods(
        records,
        coordination,
        keys,
        bus,
        clock=clock,
        grace=timedelta(seconds=settings.vanished_grace_seconds),
    )

    async def listed(pods: list[Pod]) -> None:
        await vanished.check(pods)

    components: list[Component] = [
        Consumer(
            bus,
            QUEUE,
            SERVICE_QUEUES[QUEUE],
            record_handler(records, tracker.finished, tracker.applied),
            prefetch=prefetch,
        ),
        PodWatch(source, tracker.saw, resync_seconds=settings.resync_seconds, on_listed=listed),
        _Drain(tracker),
    ]
    # Its own queue: a failing SCM delays statuses, never the records above. Without reporting
    # the queue is still drained, so that nothing piles up in it.
    reporting = reporting or ReportingWiring(reporting=None)
    components += reporting.components(bus, prefetch=prefetch)
    return WatcherParts(tracker, components)


class _Drain:
    """On stop, waits for the builds being finished, so no console log is cut short."""

    name = "finishing builds"

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def ready(self) -> bool:
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            await stopping.wait()
        except asyncio.CancelledError:
            await self._tracker.abandon()
            raise
        await self._tracker.drain()
