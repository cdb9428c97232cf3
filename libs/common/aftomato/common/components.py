"""Components most services run: a bus consumer and a periodic task, each drained on stop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

from aftomato.common.bus import Bus, Handler
from aftomato.common.logging import get_logger

log = get_logger(__name__)


class Consumer:
    """Feeds a queue to a handler until stopped, then lets the handler finish what it holds."""

    def __init__(
        self,
        bus: Bus,
        queue: str,
        routing_keys: Sequence[str],
        handler: Handler,
        *,
        prefetch: int | None = None,
        drain_seconds: float = 30.0,
    ) -> None:
        self.name = f"consumer {queue}"
        self._bus = bus
        self._queue = queue
        self._routing_keys = routing_keys
        self._handler = handler
        self._prefetch = prefetch
        self._drain_seconds = drain_seconds
        self._subscribed = False

    def ready(self) -> bool:
        """Subscribed (its queue exists, so nothing published to it is lost) and connected."""
        return self._subscribed and self._bus.connected

    async def run(self, stopping: asyncio.Event) -> None:
        subscription = await self._bus.subscribe(
            self._queue, self._routing_keys, self._handler, prefetch=self._prefetch
        )
        self._subscribed = True
        try:
            await stopping.wait()
        finally:
            self._subscribed = False
            # Cancelled rather than stopped (another component failed, or the process is being
            # killed): stop at once, as a kill would; what was in flight is delivered again.
            drain = self._drain_seconds if stopping.is_set() else 0.0
            await subscription.cancel(drain_timeout=drain)


class Periodic:
    """Runs ``action`` every ``interval`` seconds; a failing round is logged, the next one runs."""

    def __init__(self, name: str, interval: float, action: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self._interval = interval
        self._action = action
        self._nudged = asyncio.Event()

    def ready(self) -> bool:
        return True

    def nudge(self) -> None:
        """Run the next round now rather than at the end of the interval."""
        self._nudged.set()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self._action()
            except Exception:
                log.exception("periodic task failed; it runs again next round", task=self.name)
            self._nudged.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await _first(stopping, self._nudged)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
