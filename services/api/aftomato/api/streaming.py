"""Streaming answers: Server-Sent Events (open, events, keep-alive comments), and how a stream
that is already under way ends when something fails."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from aiohttp import web

from aftomato.common.logging import get_logger

log = get_logger(__name__)


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


@contextmanager
def ending_quietly(path: str) -> Iterator[None]:
    """Once an answer is streaming no error answer can follow: a client that left is normal,
    anything else is logged and the stream ends (event clients resume by ``Last-Event-ID``)."""
    try:
        yield
    except ConnectionResetError:
        pass
    except Exception:
        log.exception("a streaming answer failed; ending it", path=path)


async def send_stream(
    request: web.Request, headers: dict[str, str], chunks: AsyncIterator[bytes]
) -> web.StreamResponse:
    """An answer of ``chunks`` as they come, under ``headers``."""
    response = web.StreamResponse(headers=headers)
    await response.prepare(request)
    with ending_quietly(request.path):
        async for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
    return response
