"""Following build pods: list, then watch from that resourceVersion; relist on ``410 Gone`` and
on a resync period; a cut watch resumes from the last resourceVersion it delivered. Each sight
goes to its pod's lane (:mod:`.pod_lanes`), so the watch reads on while sights are handled."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from aftomato.common.logging import get_logger
from aftomato.watcher.pod_lanes import PodLanes, Sight
from aftomato.watcher.pod_source import Pod, PodSource, WatchExpired, resource_version

log = get_logger(__name__)

RETRY_SECONDS = 1.0


class Saw(Protocol):
    """What to do with one sight of a pod; ``deleted``: the pod is gone, this was its last."""

    def __call__(self, pod: Pod, *, deleted: bool = False) -> Awaitable[None]: ...


class PodWatch:
    """A component: feeds every sight of every build pod to ``saw``, until stopped."""

    name = "pod watch"

    def __init__(
        self,
        source: PodSource,
        saw: Saw,
        *,
        resync_seconds: float,
        on_listed: Callable[[list[Pod]], Awaitable[None]] | None = None,
    ) -> None:
        self._source = source
        self._saw = saw
        self._resync = resync_seconds
        self._on_listed = on_listed
        self._listed = False
        self._lanes = PodLanes(self._handle)

    def ready(self) -> bool:
        return self._listed

    async def run(self, stopping: asyncio.Event) -> None:
        follow = asyncio.create_task(self._follow())
        stop = asyncio.create_task(stopping.wait())
        try:
            done, _ = await asyncio.wait({follow, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (follow, stop):
                task.cancel()
            await asyncio.gather(follow, stop, return_exceptions=True)
            await self._lanes.close()
        if follow in done:
            follow.result()  # its failure stops the service, saying why

    async def _follow(self) -> None:
        version = await self._relist()
        next_resync = time.monotonic() + self._resync
        while True:
            try:
                remaining = max(1.0, next_resync - time.monotonic())
                # aclosing: a cancelled watch still closes its HTTP stream at once
                async with contextlib.aclosing(self._source.watch(version, remaining)) as events:
                    async for event in events:
                        version = resource_version(event.pod) or version
                        self._see(event.pod, deleted=event.kind == "DELETED")
                        await self._lanes.room()  # behind: read on as pods are handled
            except WatchExpired:
                log.info("watch expired (410 Gone): listing again")
                version, next_resync = await self._relist(), time.monotonic() + self._resync
                continue
            except Exception as error:
                log.warning("pod watch broke; resuming", error=repr(error), version=version)
                await asyncio.sleep(RETRY_SECONDS)
            if time.monotonic() >= next_resync:
                version, next_resync = await self._relist(), time.monotonic() + self._resync

    def _see(self, pod: Pod, *, deleted: bool = False) -> None:
        self._lanes.see(str((pod.get("metadata") or {}).get("name")), Sight(pod, deleted))

    async def _handle(self, sight: Sight) -> None:
        await self._saw(sight.pod, deleted=sight.deleted)

    async def _relist(self) -> str:
        while True:
            try:
                pods, version = await self._source.list()
                break
            except Exception as error:
                log.warning("listing build pods failed; retrying", error=repr(error))
                await asyncio.sleep(RETRY_SECONDS)
        for pod in pods:
            self._see(pod)
        await self._lanes.settled()  # the listing is handled before it is judged
        if self._on_listed is not None:
            try:
                await self._on_listed(pods)
            except Exception:
                log.exception("checking the listed pods failed; the next listing retries")
        self._listed = True
        return version
