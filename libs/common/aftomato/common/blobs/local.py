"""The blob store in a local folder, for ``aftomato up``.

Layout under the root: ``objects/<key>`` holds the bytes, ``meta/<key>.json`` the content type and
encoding, ``tmp/`` the files being written. A put writes to ``tmp/`` and renames into place (the
metadata first), so a reader never sees half a blob. Keys are checked by
:func:`~aftomato.common.blobs.store.check_key`, and every path is checked to stay under the root.
A key cannot be both a blob and a folder of blobs (``a`` and ``a/b``): such a put raises
:class:`InvalidBlobKey`. File work runs in threads, chunk by chunk, off the event loop.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import os
import secrets
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from aftomato.common.blobs.store import (
    CHUNK_BYTES,
    DEFAULT_CONTENT_TYPE,
    Blob,
    BlobInfo,
    BlobNotFound,
    Data,
    InvalidBlobKey,
    check_key,
    check_prefix,
)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()
        self._objects = self._root / "objects"
        self._meta = self._root / "meta"
        self._tmp = self._root / "tmp"
        for folder in (self._objects, self._meta, self._tmp):
            folder.mkdir(parents=True, exist_ok=True)

    async def put(
        self, key: str, data: Data, *, content_type: str, content_encoding: str | None = None
    ) -> BlobInfo:
        target = self._object_path(key)
        temp = self._tmp / secrets.token_hex(8)
        try:
            size = await _write(temp, data)
            info = BlobInfo(key, size, content_type, content_encoding)
            await asyncio.to_thread(self._commit, temp, target, info)
        finally:
            await asyncio.to_thread(temp.unlink, missing_ok=True)
        return info

    @contextlib.asynccontextmanager
    async def open(self, key: str) -> AsyncIterator[Blob]:
        path = self._object_path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise BlobNotFound(f"no blob {key!r}") from error
        chunks = _read(handle)
        try:
            info = await asyncio.to_thread(self._info, key, path)
            yield Blob(info, chunks)
        finally:
            await chunks.aclose()
            await asyncio.to_thread(handle.close)

    async def list(self, prefix: str = "") -> builtins.list[BlobInfo]:
        check_prefix(prefix)
        return await asyncio.to_thread(self._list, prefix)

    def location(self, key: str) -> str:
        uri = self._inside(self._objects / check_prefix(key)).as_uri()
        return f"{uri}/" if key.endswith("/") else uri

    def _object_path(self, key: str) -> Path:
        return self._inside(self._objects / check_key(key))

    def _meta_path(self, key: str) -> Path:
        return self._inside(self._meta / f"{check_key(key)}.json")

    def _inside(self, path: Path) -> Path:
        """``path`` if it resolves inside the root (a symbolic link may point elsewhere)."""
        if not path.resolve().is_relative_to(self._root):
            raise InvalidBlobKey(f"blob path {path} leads outside {self._root}")
        return path

    def _commit(self, temp: Path, target: Path, info: BlobInfo) -> None:
        meta = self._meta_path(info.key)
        meta_temp = self._tmp / secrets.token_hex(8)
        description = {"content_type": info.content_type, "content_encoding": info.content_encoding}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            meta_temp.write_text(json.dumps(description))
            meta.parent.mkdir(parents=True, exist_ok=True)
            os.replace(meta_temp, meta)
            os.replace(temp, target)
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
            raise InvalidBlobKey(f"blob key {info.key!r} clashes with another key") from error
        finally:
            meta_temp.unlink(missing_ok=True)

    def _info(self, key: str, path: Path) -> BlobInfo:
        try:
            description = json.loads(self._meta_path(key).read_text())
        except FileNotFoundError:  # stored by hand, or a put interrupted between its renames
            description = {}
        return BlobInfo(
            key,
            path.stat().st_size,
            description.get("content_type") or DEFAULT_CONTENT_TYPE,
            description.get("content_encoding"),
        )

    def _list(self, prefix: str) -> builtins.list[BlobInfo]:
        folder = self._objects / prefix.rpartition("/")[0]
        if not folder.is_dir():
            return []
        keys = (path.relative_to(self._objects).as_posix() for path in folder.rglob("*"))
        return [
            self._info(key, self._objects / key)
            for key in sorted(keys)
            if key.startswith(prefix) and (self._objects / key).is_file()
        ]


async def _write(path: Path, data: Data) -> int:
    if isinstance(data, bytes):
        return await asyncio.to_thread(path.write_bytes, data)
    handle = await asyncio.to_thread(path.open, "wb")
    size = 0
    try:
        async for chunk in data:
            size += await asyncio.to_thread(handle.write, chunk)
    finally:
        await asyncio.to_thread(handle.close)
    return size


async def _read(handle: BinaryIO) -> AsyncGenerator[bytes, None]:
    while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
        yield chunk
