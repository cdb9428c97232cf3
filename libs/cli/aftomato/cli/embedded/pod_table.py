"""The local build pods and their history, with the API server's list-and-watch semantics.

Every change gets the next ``resourceVersion`` and is kept in a bounded history, so a watch
resumes after the version it last saw; one older than the history raises ``WatchExpired``, as
``410 Gone`` does. Pods are copied in and out: a reader never holds the table's own dict.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import AsyncGenerator

from aftomato.watcher.pod_source import Pod, PodEvent, WatchExpired

HISTORY = 1000
"""Changes kept for watches to resume from."""


class PodTable:
    def __init__(self, history: int = HISTORY) -> None:
        self._pods: dict[str, Pod] = {}
        self._events: deque[tuple[int, PodEvent]] = deque(maxlen=history)
        self._version = 0
        self._changed = asyncio.Condition()

    def get(self, name: str) -> Pod | None:
        pod = self._pods.get(name)
        return None if pod is None else copy.deepcopy(pod)

    def names(self) -> list[str]:
        return list(self._pods)

    async def put(self, pod: Pod) -> None:
        """Add or replace the pod (by name) and tell the watchers."""
        name = pod["metadata"]["name"]
        kind = "MODIFIED" if name in self._pods else "ADDED"
        await self._record(kind, pod)
        self._pods[name] = self._events[-1][1].pod

    async def remove(self, name: str) -> None:
        pod = self._pods.pop(name, None)
        if pod is not None:
            await self._record("DELETED", pod)

    async def _record(self, kind: str, pod: Pod) -> None:
        stored = copy.deepcopy(pod)
        self._version += 1
        version = self._version
        stored["metadata"]["resourceVersion"] = str(version)
        self._events.append((version, PodEvent(kind, stored)))
        async with self._changed:
            self._changed.notify_all()

    def list(self) -> tuple[list[Pod], str]:
        return [copy.deepcopy(pod) for pod in self._pods.values()], str(self._version)

    async def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        """The changes after ``resource_version``, as they come, for ``seconds``."""
        seen = _version(resource_version)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            if self._events and seen < self._events[0][0] - 1:
                raise WatchExpired(f"resourceVersion {seen} is older than the history kept")
            for version, event in list(self._events):
                if version > seen:
                    seen = version
                    yield PodEvent(event.kind, copy.deepcopy(event.pod))
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            async with self._changed:
                if self._version == seen:
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                    # that arrives as the condition is notified, and the watch would never end.
                    try:
                        async with asyncio.timeout(remaining):
                            await self._changed.wait()
                    except TimeoutError:
                        return


def _version(text: str) -> int:
    try:
        return int(text or 0)
    except ValueError:
        raise WatchExpired(f"resourceVersion {text!r} is not one of this executor's") from None
