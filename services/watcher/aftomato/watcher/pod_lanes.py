"""Sights of pods handled in a lane per pod: in order for one pod, side by side for different
pods, so that one build's record write does not hold up every other build's.

Sights that pile up behind a busy lane are folded: a pod's newer status holds everything an
older one said (a watch that was cut delivers only the newest, too), so a waiting sight is
replaced by the next one. Two kinds are never folded away: the last sight of a deleted pod, and
a sight of a pod being deleted (its log must be followed from then on, before the pod goes).
A watcher that falls behind holds at most ``most`` pods' sights: the watch waits for
:meth:`PodLanes.room` (the API server keeps the rest of the stream), so memory stays bounded.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aftomato.common.logging import get_logger
from aftomato.watcher.pod_source import Pod

log = get_logger(__name__)

AT_ONCE = 32
"""Pods handled at once: enough to overlap the record store's round trips, few enough that a
relist of thousands of pods does not start thousands of writes together."""
MOST = 256
"""Pods with sights queued before the watch waits for room (a pod object is tens of kB)."""


@dataclass(frozen=True)
class Sight:
    pod: Pod
    deleted: bool = False

    @property
    def foldable(self) -> bool:
        """A later sight of the pod may take this one's place."""
        return not self.deleted and not (self.pod.get("metadata") or {}).get("deletionTimestamp")


Handle = Callable[[Sight], Awaitable[None]]


class PodLanes:
    def __init__(self, handle: Handle, *, at_once: int = AT_ONCE, most: int = MOST) -> None:
        self._handle = handle
        self._at_once = asyncio.Semaphore(at_once)
        self._most = most
        self._freed = asyncio.Event()
        self._waiting: dict[str, deque[Sight]] = {}
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def see(self, name: str, sight: Sight) -> None:
        """Queue a sight of pod ``name`` behind the ones before it."""
        waiting = self._waiting.setdefault(name, deque())
        if waiting and waiting[-1].foldable:
            waiting[-1] = sight
        else:
            waiting.append(sight)
        if name not in self._lanes:
            self._idle.clear()
            self._lanes[name] = asyncio.create_task(self._run(name), name=f"pod {name}")

    async def room(self) -> None:
        """Return once fewer than ``most`` pods have sights queued or being handled."""
        while len(self._lanes) >= self._most:
            self._freed.clear()
            await self._freed.wait()

    async def settled(self) -> None:
        """Return once every sight queued so far (and since) has been handled."""
        await self._idle.wait()

    async def close(self) -> None:
        """Stop at once; sights not handled yet are seen again at the next listing."""
        lanes = list(self._lanes.values())
        for lane in lanes:
            lane.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)
        self._waiting.clear()

    def __len__(self) -> int:
        """Pods with sights queued or being handled."""
        return len(self._lanes)

    async def _run(self, name: str) -> None:
        try:
            waiting = self._waiting[name]
            while waiting:
                # the sight is taken only once its turn came: till then newer ones fold into it
                async with self._at_once:
                    await self._see(waiting.popleft())
        finally:
            self._waiting.pop(name, None)
            self._lanes.pop(name, None)
            self._freed.set()
            if not self._lanes:
                self._idle.set()

    async def _see(self, sight: Sight) -> None:
        try:
            await self._handle(sight)
        except Exception:
            log.exception("handling a pod failed; the next sight of it retries")
