"""``GET /api/v1/events``: every ``build.*`` message as a Server-Sent Event, live."""

from __future__ import annotations

import asyncio

from aiohttp import web

from aftomato.api import streaming
from aftomato.api.context import context_of


async def events(request: web.Request) -> web.StreamResponse:
    context = context_of(request)
    interval = context.settings.keep_alive_seconds
    with context.events.subscribe() as feed:
        response = await streaming.open_stream(request)
        with streaming.ending_quietly(request.path):
            await response.write(
                streaming.KEEP_ALIVE
            )  # the stream is open: clients may count on it
            while True:
                try:
                    async with asyncio.timeout(interval):
                        event = await feed.get()
                except TimeoutError:
                    await response.write(streaming.KEEP_ALIVE)
                    continue
                if event is None:
                    break
                await response.write(streaming.event_text(event.kind, event.data, event.event_id))
    return response
