"""A build's console log as one stream: live while the build runs, then the stored copy.

The live log (from :class:`~.live_logs.LiveLogs`) and the stored log (kept by the watcher when the
build ends) hold the same bytes, so the stream counts the bytes it gave and, on every switch or
reconnection, skips that many: no line is lost or repeated. :class:`Lines` cuts the bytes into
lines for Server-Sent Events.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from aftomato.api.live_logs import LiveLogs
from aftomato.common.blobs.store import BlobNotFound, BlobStore, console_log_key
from aftomato.common.logging import get_logger
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState

log = get_logger(__name__)


async def gunzip(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Gzip-compressed ``chunks`` decompressed as they stream."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    async for chunk in chunks:
        if data := decompressor.decompress(chunk):
            yield data
    if rest := decompressor.flush():
        yield rest


async def stored_log(logs: BlobStore, build_id: str) -> AsyncIterator[bytes]:
    """The stored console log, decompressed (nothing if none was kept)."""
    try:
        async with logs.open(console_log_key(build_id)) as blob:
            async for data in gunzip(blob.chunks):
                yield data
    except BlobNotFound:
        return


@dataclass
class LogFollower:
    records: BuildStore
    logs: BlobStore
    live: LiveLogs
    poll_seconds: float = 1.0

    async def follow(self, build_id: str) -> AsyncGenerator[bytes, None]:
        """The whole log, following it until the build is final; then its final record."""
        sent = 0
        while True:
            record = await self.records.get(build_id)
            if record is None:
                return
            if record.state.is_final:
                async for chunk in _after(stored_log(self.logs, build_id), sent):
                    yield chunk
                return
            try:
                async for chunk in _after(self.live.follow(record), sent):
                    sent += len(chunk)
                    yield chunk
            except Exception as error:  # the stream is open: look again rather than fail it
                log.warning("following a live log failed", build_id=build_id, error=repr(error))
            await asyncio.sleep(self.poll_seconds)

    async def final_state(self, build_id: str) -> BuildState | None:
        record = await self.records.get(build_id)
        return None if record is None else record.state


async def _after(chunks: AsyncIterator[bytes], offset: int) -> AsyncIterator[bytes]:
    """``chunks`` without their first ``offset`` bytes."""
    skip = offset
    async for chunk in chunks:
        if skip >= len(chunk):
            skip -= len(chunk)
            continue
        yield chunk[skip:]
        skip = 0


class Lines:
    """Cuts bytes into lines (without their line ends); UTF-8 decoded line by line."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> list[str]:
        *complete, self._pending = (self._pending + chunk).split(b"\n")
        return [_text(line) for line in complete]

    def close(self) -> list[str]:
        rest, self._pending = self._pending, b""
        return [_text(rest)] if rest else []


def _text(line: bytes) -> str:
    return line.removesuffix(b"\r").decode("utf-8", errors="replace")
