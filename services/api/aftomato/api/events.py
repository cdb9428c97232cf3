"""Every ``build.*`` message, fanned out to the Server-Sent Event clients of this replica.

Each api replica listens on a transient queue of its own (:meth:`Bus.listen`), so every replica
sees every message. A client too slow to keep up is dropped (its stream ends; it reconnects)
rather than slowing the others or growing memory without bound. ``scripts.updated`` arrives on
the same queue and nudges the build-scripts poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aftomato.common.bus import Bus, Delivery
from aftomato.common.logging import get_logger

log = get_logger(__name__)

ROUTING_KEYS = ("build.*", "scripts.updated")


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    """The routing key."""
    event_id: str
    data: str
    """The message as JSON."""


Feed = asyncio.Queue[Event | None]
"""What one client reads; None means its stream is over."""


class EventHub:
    name = "build events"

    def __init__(
        self,
        bus: Bus,
        *,
        on_scripts_updated: Callable[[], None] = lambda: None,
        client_backlog: int = 1000,
    ) -> None:
        self._bus = bus
        self._on_scripts_updated = on_scripts_updated
        self._backlog = client_backlog
        self._feeds: set[Feed] = set()
        self._listening = False

    def ready(self) -> bool:
        return self._listening and self._bus.connected

    async def run(self, stopping: asyncio.Event) -> None:
        subscription = await self._bus.listen(ROUTING_KEYS, self._deliver)
        self._listening = True
        try:
            await stopping.wait()
        finally:
            self._listening = False
            for feed in list(self._feeds):
                self._end(feed)
            await subscription.cancel(drain_timeout=5)

    @contextmanager
    def subscribe(self) -> Iterator[Feed]:
        feed: Feed = asyncio.Queue(self._backlog)
        self._feeds.add(feed)
        try:
            yield feed
        finally:
            self._feeds.discard(feed)

    async def _deliver(self, delivery: Delivery) -> None:
        if delivery.routing_key == "scripts.updated":
            self._on_scripts_updated()
            return
        message = delivery.message
        event = Event(delivery.routing_key, message.event_id, message.model_dump_json())
        for feed in list(self._feeds):
            try:
                feed.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("dropping a slow event stream client", backlog=self._backlog)
                self._end(feed)

    def _end(self, feed: Feed) -> None:
        self._feeds.discard(feed)
        while not feed.empty():
            feed.get_nowait()
        feed.put_nowait(None)
