"""Server-Sent Events over an aiohttp stream: open it, write events and keep-alive comments."""

from __future__ import annotations

from aiohttp import web


async def open_stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # proxies must pass events on at once
        }
    )
    await response.prepare(request)
    return response


def event_text(kind: str, data: str, event_id: str | None = None) -> bytes:
    """One event; ``data`` must hold no newline (JSON written compactly holds none)."""
    head = f"event: {kind}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    return f"{head}data: {data}\n\n".encode()


KEEP_ALIVE = b": keep-alive\n\n"
