"""Every ``build.*`` event as the api tells its clients (``/api/v1/events``, Server-Sent Events),
stamped with ``time.monotonic()`` as it arrives: when builds were scheduled, started, finished."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator

import aiohttp


class BuildEvents:
    def __init__(self) -> None:
        self.seen: defaultdict[str, dict[str, float]] = defaultdict(dict)
        """build id -> routing key -> when it arrived."""
        self._changed = asyncio.Condition()

    async def wait(self, build_id: str, event: str) -> float:
        """When ``event`` of ``build_id`` arrived (bound the wait with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait_for(lambda: event in self.seen[build_id])
        return self.seen[build_id][event]

    async def arrived(self, event: str, build_id: str) -> None:
        async with self._changed:
            self.seen[build_id].setdefault(event, time.monotonic())
            self._changed.notify_all()


@contextlib.asynccontextmanager
async def build_events(http: aiohttp.ClientSession, api_url: str) -> AsyncIterator[BuildEvents]:
    """Listen from now on; the stream is open (its answer arrived) when this yields."""
    events = BuildEvents()
    answer = await http.get(f"{api_url}/api/v1/events", timeout=aiohttp.ClientTimeout(total=None))
    answer.raise_for_status()
    reading = asyncio.create_task(_read(answer, events))
    try:
        yield events
    finally:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        answer.close()


async def _read(answer: aiohttp.ClientResponse, events: BuildEvents) -> None:
    event, data = "", []
    async for raw in answer.content:
        line = raw.decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
        elif not line:
            if event.startswith("build.") and data:
                await events.arrived(event, str(json.loads("\n".join(data))["build_id"]))
            event, data = "", []
