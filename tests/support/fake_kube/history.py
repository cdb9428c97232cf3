"""The change feed behind watches: a bounded event history and the live subscribers.

Every change to a pod becomes an ``Event`` with the resourceVersion it produced. The history keeps
the newest ``limit`` events; a watch may resume from any resourceVersion at or after ``floor``
(everything after the floor is still kept), older ones are expired, as after an etcd compaction.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from types import TracebackType

from tests.support.fake_kube.errors import Obj, expired


@dataclass(frozen=True)
class Event:
    """One change. ``obj`` and ``prev`` are stored snapshots: never mutate them."""

    type: str  # ADDED, MODIFIED, DELETED, or BOOKMARK (never kept in the history)
    resource_version: int
    obj: Obj | None
    prev: Obj | None


class Cut(Enum):
    """How the fake ends a watch stream on purpose."""

    CLEAN = "clean"  # the response ends normally, like a server-side timeout
    ABORT = "abort"  # the connection drops mid-stream, like a proxy reset


class Subscription:
    """A live feed of events for one watch; ends when cut or when the fake stops."""

    def __init__(self, fanout: Fanout) -> None:
        self._fanout = fanout
        self._queue: asyncio.Queue[Event | Cut] = asyncio.Queue()
        self.cut: Cut | None = None

    def put(self, item: Event | Cut) -> None:
        self._queue.put_nowait(item)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            item = await self._queue.get()
            if isinstance(item, Cut):
                self.cut = item
                return
            yield item

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._fanout.discard(self)


class Fanout:
    """The open subscriptions; every published event goes to each of them."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        self._subscriptions.add(subscription)
        return subscription

    def discard(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def publish(self, item: Event | Cut) -> int:
        for subscription in self._subscriptions:
            subscription.put(item)
        return len(self._subscriptions)


class History:
    """The newest ``limit`` events, oldest first."""

    def __init__(self, limit: int) -> None:
        self._events: deque[Event] = deque(maxlen=limit)
        self.floor = 0  # every event with a resourceVersion above this one is kept

    def record(self, event: Event) -> None:
        if len(self._events) == self._events.maxlen:
            self.floor = self._events[0].resource_version
        self._events.append(event)

    def compact(self, resource_version: int) -> None:
        """Forget everything up to ``resource_version``, like an etcd compaction."""
        self._events.clear()
        self.floor = resource_version

    def since(self, resource_version: int) -> list[Event]:
        """The events after ``resource_version``; 410 Expired if some are no longer kept."""
        if resource_version < self.floor:
            raise expired(resource_version, self.floor + 1)
        return [e for e in self._events if e.resource_version > resource_version]
