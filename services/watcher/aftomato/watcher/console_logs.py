"""Keeping a console log: the pod log, gzip-compressed as it streams, into the blob store."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator

from aftomato.common.blobs.store import (
    CONSOLE_LOG_CONTENT_TYPE,
    CONSOLE_LOG_ENCODING,
    BlobStore,
    console_log_key,
)
from aftomato.watcher.pod_source import PodSource


async def gzipped(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The gzip stream of ``chunks``, produced chunk by chunk (flat memory for any log size)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    async for chunk in chunks:
        if compressed := compressor.compress(chunk):
            yield compressed
    yield compressor.flush()


async def store_console_log(
    source: PodSource, logs: BlobStore, pod_name: str, build_id: str
) -> str:
    """Copy the build container's log into ``logs``; the location to record."""
    async with contextlib.aclosing(source.log(pod_name)) as chunks:
        return await store_log_chunks(logs, build_id, chunks)


async def store_log_chunks(logs: BlobStore, build_id: str, chunks: AsyncIterator[bytes]) -> str:
    """Keep ``chunks`` as the build's console log; the location to record."""
    key = console_log_key(build_id)
    await logs.put(
        key,
        gzipped(chunks),
        content_type=CONSOLE_LOG_CONTENT_TYPE,
        content_encoding=CONSOLE_LOG_ENCODING,
    )
    return logs.location(key)
