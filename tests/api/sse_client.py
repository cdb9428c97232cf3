"""Reading Server-Sent Events in tests: one event at a time, with a deadline."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Event:
    kind: str
    data: str
    event_id: str | None

    def json(self) -> Any:
        return json.loads(self.data)


async def next_event(response: aiohttp.ClientResponse, *, within: float = 10.0) -> Event:
    """The next event (keep-alive comments skipped); TimeoutError when none comes in time."""
    fields: dict[str, str] = {}
    async with asyncio.timeout(within):
        while True:
            raw = await response.content.readline()
            if not raw:
                raise EOFError("the event stream ended")
            line = raw.decode().rstrip("\n")
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(": ")
                fields[name] = value
                continue
            if fields:
                return Event(fields.get("event", "message"), fields["data"], fields.get("id"))


async def events_until(
    response: aiohttp.ClientResponse, kind: str, *, within: float = 10.0
) -> list[Event]:
    """Every event up to and including the first of ``kind``."""
    seen: list[Event] = []
    while not seen or seen[-1].kind != kind:
        seen.append(await next_event(response, within=within))
    return seen
