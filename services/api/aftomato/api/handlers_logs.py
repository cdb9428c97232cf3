"""A build's console log: stored (gzip passed through when accepted), followed as plain text,
or as Server-Sent Events of numbered lines that resume after ``Last-Event-ID``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator

from aiohttp import web

from aftomato.api import bodies, streaming
from aftomato.api.context import context_of
from aftomato.api.errors import NotFound
from aftomato.api.log_stream import Lines, gunzip
from aftomato.common.blobs.store import BlobNotFound, console_log_key
from aftomato.common.records.model import BuildRecord

TEXT = "text/plain; charset=utf-8"


async def _record(request: web.Request) -> BuildRecord:
    build_id = bodies.build_id(request)
    record = await context_of(request).queries.record(build_id)
    if record is None:
        raise NotFound(f"no build {build_id}", code="unknown_build")
    return record


async def log(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    if request.query.get("follow") in ("1", "true"):
        return await _followed(request, record.build_id)
    if not record.state.is_final:
        raise NotFound(
            f"build {record.build_id} is {record.state.value}: its log is kept when it ends; "
            "follow it with ?follow=1",
            code="log_not_stored",
        )
    gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    try:
        return await _stored(request, record.build_id, gzip=gzip)
    except BlobNotFound:
        raise NotFound(f"build {record.build_id} has no stored log", code="no_log") from None


async def _stored(request: web.Request, build_id: str, *, gzip: bool) -> web.StreamResponse:
    async with context_of(request).logs.open(console_log_key(build_id)) as blob:
        headers = {"Content-Type": TEXT, "Vary": "Accept-Encoding"}
        if gzip:
            headers.update({"Content-Encoding": "gzip", "Content-Length": str(blob.info.size)})
        chunks = blob.chunks if gzip else gunzip(blob.chunks)
        return await streaming.send_stream(request, headers, chunks)


async def _followed(request: web.Request, build_id: str) -> web.StreamResponse:
    headers = {"Content-Type": TEXT, "X-Accel-Buffering": "no"}
    async with contextlib.aclosing(context_of(request).follower.follow(build_id)) as chunks:
        return await streaming.send_stream(request, headers, chunks)


def _resume_after(request: web.Request) -> int:
    text = request.headers.get("Last-Event-ID", "0").strip()
    return int(text) if text.isdigit() else 0


async def log_events(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    context = context_of(request)
    skip = _resume_after(request)
    response = await streaming.open_stream(request)
    with streaming.ending_quietly(request.path):
        number = 0
        lines = Lines()
        async with contextlib.aclosing(
            _with_keep_alive(
                context.follower.follow(record.build_id), context.settings.keep_alive_seconds
            )
        ) as chunks:
            async for chunk in chunks:
                if chunk is None:
                    await response.write(streaming.KEEP_ALIVE)
                    continue
                number = await _send_lines(response, lines.feed(chunk), number, skip)
            await _send_lines(response, lines.close(), number, skip)
        state = await context.follower.final_state(record.build_id)
        end = json.dumps({"state": state.value if state else None})
        await response.write(streaming.event_text("end", end))
        await response.write_eof()
    return response


async def _send_lines(
    response: web.StreamResponse, texts: list[str], number: int, skip: int
) -> int:
    out = []
    for text in texts:
        number += 1
        if number > skip:
            data = json.dumps({"n": number, "text": text}, ensure_ascii=False)
            out.append(streaming.event_text("line", data, str(number)))
    if out:
        await response.write(b"".join(out))
    return number


async def _with_keep_alive(
    chunks: AsyncGenerator[bytes, None], interval: float
) -> AsyncGenerator[bytes | None, None]:
    """``chunks``, with None whenever nothing came for ``interval`` seconds."""
    pending: asyncio.Task[bytes] | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(chunks))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield None
                continue
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield chunk
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await chunks.aclose()
