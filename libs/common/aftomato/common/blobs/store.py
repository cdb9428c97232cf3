"""The blob store's shape: put, open (streaming), list, and the location a record keeps.

Keys are relative, ``/``-separated paths: ``<build-id>/console.log.gz``, ``<build-id>/<artifact
path>``. Both stores refuse keys that could escape a folder or mean two things (empty, absolute,
``.`` or ``..`` segments, empty segments, backslashes, control characters). A blob keeps the
content type and encoding it was stored with, and gives its bytes back exactly as stored.

Console logs follow one convention (:func:`console_log_key`): gzip-compressed bytes, content type
``text/plain; charset=utf-8``, content encoding ``gzip``. Whoever serves a log passes the bytes
through with ``Content-Encoding: gzip`` (browsers and curl decompress) or decompresses them for a
client that does not accept gzip. Artifacts are stored as they are, without an encoding.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

CHUNK_BYTES = 64 * 1024
MAX_KEY_BYTES = 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"

CONSOLE_LOG_NAME = "console.log.gz"
CONSOLE_LOG_CONTENT_TYPE = "text/plain; charset=utf-8"
CONSOLE_LOG_ENCODING = "gzip"

ARTIFACT_MANIFEST_NAME = "manifest.json"
"""Written last by the build container beside a build's artifacts (its presence says the upload
is complete); the name is reserved, so it is never one of the artifacts themselves."""

_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")

Data = bytes | AsyncIterable[bytes]


class BlobNotFound(LookupError):
    """No blob under that key."""


class InvalidBlobKey(ValueError):
    """A key (or prefix) that no store accepts; the message names it and says why."""


class BlobStoreUnavailable(Exception):
    """The store cannot be reached or is overloaded now; the caller retries (``Retry``)."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    key: str
    size: int
    """Bytes as stored (compressed, for an encoded blob)."""
    content_type: str
    content_encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Blob:
    """An open blob: its description, then its bytes in chunks, read once."""

    info: BlobInfo
    chunks: AsyncIterator[bytes]


class BlobStore(Protocol):
    async def put(
        self,
        key: str,
        data: Data,
        *,
        content_type: str,
        content_encoding: str | None = None,
    ) -> BlobInfo:
        """Store ``data`` (bytes, or chunks streamed without holding them all) under ``key``."""

    def open(self, key: str) -> AbstractAsyncContextManager[Blob]:
        """``async with store.open(key) as blob``: raises :class:`BlobNotFound` on entering."""

    async def list(self, prefix: str = "") -> builtins.list[BlobInfo]:
        """Every blob whose key starts with ``prefix`` (plain string prefix), sorted by key."""

    def location(self, key: str) -> str:
        """The URL of ``key`` (or of a prefix ending in ``/``) to keep in a build record."""


def check_key(key: str) -> str:
    """``key`` unchanged, or :class:`InvalidBlobKey` saying what is wrong with it."""
    if not key:
        raise InvalidBlobKey("blob key is empty")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise InvalidBlobKey(f"blob key {key[:64]!r}... is longer than {MAX_KEY_BYTES} bytes")
    if _FORBIDDEN.search(key):
        raise InvalidBlobKey(f"blob key {key!r} contains a backslash or a control character")
    if key.startswith("/"):
        raise InvalidBlobKey(f"blob key {key!r} is absolute: keys are relative paths")
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        raise InvalidBlobKey(f"blob key {key!r} has an empty, '.' or '..' segment")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix or location: empty, a key, or a key followed by ``/``."""
    if prefix:
        check_key(prefix.removesuffix("/"))
    return prefix


def console_log_key(build_id: str) -> str:
    """Where a build's console log is kept in the logs store."""
    return f"{build_id}/{CONSOLE_LOG_NAME}"


def artifact_manifest_key(build_id: str) -> str:
    """Where the build container's manifest of a build's artifacts is kept."""
    return f"{build_id}/{ARTIFACT_MANIFEST_NAME}"


async def read_all(store: BlobStore, key: str) -> bytes:
    """The whole blob (as stored: still compressed if it has an encoding)."""
    async with store.open(key) as blob:
        return b"".join([chunk async for chunk in blob.chunks])
