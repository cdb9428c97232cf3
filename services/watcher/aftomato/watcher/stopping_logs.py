"""The logs of pods that stop while their build still runs (a cancel, an eviction), followed to
their end.

A terminating pod disappears as soon as its containers have stopped, so a log read *after* the
build container's end may find the pod gone, and the last lines (what the build printed on
SIGTERM) with it. Following the log from the first sight of the terminating pod reads every line
while the pod still exists; the stream ends when the container does. Captures spill to a
temporary file past a small size, so a thousand cancels at once keep the watcher's memory flat.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO

from aftomato.common.logging import get_logger
from aftomato.watcher.pod_source import PodSource

log = get_logger(__name__)

SPOOL_BYTES = 256 * 1024
"""Kept in memory per capture; a longer log spills to a temporary file."""
CHUNK = 64 * 1024


@dataclass
class Capture:
    """One followed log: its bytes so far, and whether the stream reached the log's end."""

    spool: IO[bytes] = field(
        default_factory=lambda: tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    )
    whole: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        self.spool.seek(0)
        while chunk := self.spool.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self.spool.close()


@dataclass
class StoppingLogs:
    source: PodSource
    end_wait_seconds: float = 10.0
    """How long finishing waits for a followed stream to reach the log's end."""
    _following: dict[str, asyncio.Task[Capture]] = field(default_factory=dict)

    def follow(self, pod_name: str) -> None:
        """Start following the pod's build log (once; further calls do nothing)."""
        if pod_name not in self._following:
            self._following[pod_name] = asyncio.create_task(self._capture(pod_name))

    async def take(self, pod_name: str) -> Capture | None:
        """The capture of ``pod_name`` once its stream ended (or stopped waiting), or None if
        the pod was not followed. The caller closes it."""
        task = self._following.pop(pod_name, None)
        if task is None:
            return None
        done, _ = await asyncio.wait({task}, timeout=self.end_wait_seconds)
        if not done:
            task.cancel()
            await asyncio.wait({task})
        return None if task.cancelled() else task.result()

    async def discard(self, pod_name: str) -> None:
        """Forget the pod's capture (another watcher finished its build)."""
        task = self._following.pop(pod_name, None)
        if task is not None:
            task.cancel()
            await asyncio.wait({task})
            if not task.cancelled():
                task.result().close()

    async def close(self) -> None:
        """Stop every stream (the watcher stops); the next watcher reads those logs itself."""
        tasks = list(self._following.values())
        self._following.clear()
        for task in tasks:
            task.cancel()
        for capture in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(capture, Capture):
                capture.close()

    async def _capture(self, pod_name: str) -> Capture:
        capture = Capture()
        try:
            async with contextlib.aclosing(self.source.log(pod_name, follow=True)) as chunks:
                async for chunk in chunks:
                    capture.spool.write(chunk)
            capture.whole = True
        except asyncio.CancelledError:
            log.warning("stopped following a stopping pod's log", pod=pod_name)
        except Exception as error:  # the plain read at the end is the fallback
            log.warning("following a stopping pod's log failed", pod=pod_name, error=repr(error))
        return capture
