"""A minimal HTTP/1.1 keep-alive client on asyncio streams, cheap enough to drive a load test.

The machine has two cores shared by the generator, the server under test and RabbitMQ, so every
CPU cycle the generator burns is taken from what it measures: this costs about half the CPU per
request of aiohttp's client (measured here: ~60-100 us against ~150-200 us). It speaks just
enough HTTP for aiohttp servers' answers (a status line, headers with ``Content-Length``, a body)
and nothing else.
"""

from __future__ import annotations

import asyncio

_LENGTH = b"\r\ncontent-length:"


class Connection:
    """One keep-alive connection to ``127.0.0.1:port``, one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> int:
        """Write a whole request, read the whole answer, return its status."""
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        start = head.lower().find(_LENGTH)
        if start < 0:
            raise ValueError(f"an answer without Content-Length: {head!r}")
        end = head.index(b"\r\n", start + len(_LENGTH))
        await self._reader.readexactly(int(head[start + len(_LENGTH) : end]))
        return status

    def abort(self) -> None:
        """Drop the connection at once: a benchmark has no use for a graceful close."""
        self._writer.transport.abort()


def post_request(path: str, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of ``POST path`` with ``headers`` and ``body``, keep-alive."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
