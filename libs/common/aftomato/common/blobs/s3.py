"""The blob store on one S3 bucket (aioboto3).

A put of bytes is one ``PutObject``; a put of streamed chunks gathers them into parts of
:data:`PART_BYTES` and becomes a multipart upload once it outgrows one part (aborted if it
fails), so a large log never sits in memory whole. Listing asks ``HeadObject`` of every key
found (a few at a time) for its content type and encoding. Objects come back exactly as stored:
no transparent decompression. Network failures, throttling and a missing bucket raise
:class:`BlobStoreUnavailable`; a missing key raises :class:`BlobNotFound`.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aioboto3
import botocore.config

from aftomato.common.blobs.s3_bucket import is_missing, missing_key, unavailable_on_failure
from aftomato.common.blobs.store import (
    CHUNK_BYTES,
    DEFAULT_CONTENT_TYPE,
    Blob,
    BlobInfo,
    Data,
    check_key,
    check_prefix,
)
from aftomato.common.settings import AwsSettings

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

PART_BYTES = 8 * 1024 * 1024
"""Multipart part size for streamed puts (S3 wants at least 5 MiB for all but the last)."""
LIST_CONCURRENCY = 16
_CONFIG = botocore.config.Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60
)


class S3BlobStore:
    def __init__(
        self, client: S3Client, bucket: str, close: Callable[[], Awaitable[Any]] | None = None
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._close = close

    @classmethod
    async def connect(
        cls, settings: AwsSettings, bucket: str, *, config: botocore.config.Config | None = None
    ) -> S3BlobStore:
        """A store on ``bucket`` with a client of its own (:meth:`close` it)."""
        stack = contextlib.AsyncExitStack()
        session = aioboto3.Session(region_name=settings.region)
        client = session.client("s3", endpoint_url=settings.endpoint_url, config=config or _CONFIG)
        return cls(await stack.enter_async_context(client), bucket, stack.aclose)

    async def close(self) -> None:
        if self._close is not None:
            await self._close()

    async def put(
        self, key: str, data: Data, *, content_type: str, content_encoding: str | None = None
    ) -> BlobInfo:
        check_key(key)
        headers = {"ContentType": content_type}
        if content_encoding is not None:
            headers["ContentEncoding"] = content_encoding
        with unavailable_on_failure(f"storing {key}"):
            if isinstance(data, bytes):
                size = await self._put_object(key, data, headers)
            else:
                size = await self._put_stream(key, data, headers)
        return BlobInfo(key, size, content_type, content_encoding)

    @contextlib.asynccontextmanager
    async def open(self, key: str) -> AsyncIterator[Blob]:
        check_key(key)
        with unavailable_on_failure(f"reading {key}"), missing_key(key):
            response = await self._client.get_object(Bucket=self._bucket, Key=key)
        info = BlobInfo(
            key,
            response["ContentLength"],
            response.get("ContentType") or DEFAULT_CONTENT_TYPE,
            response.get("ContentEncoding"),
        )
        body = response["Body"]
        async with body:  # closes the connection, read to the end or not
            chunks = _chunks(key, body.iter_chunks(CHUNK_BYTES))
            try:
                yield Blob(info, chunks)
            finally:
                await chunks.aclose()

    async def list(self, prefix: str = "") -> builtins.list[BlobInfo]:
        check_prefix(prefix)
        keys: builtins.list[str] = []
        with unavailable_on_failure(f"listing {prefix!r}"):
            paginator = self._client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []))
            limit = asyncio.Semaphore(LIST_CONCURRENCY)
            found = await asyncio.gather(*(self._head(key, limit) for key in keys))
        return sorted((info for info in found if info is not None), key=lambda i: i.key)

    def location(self, key: str) -> str:
        return f"s3://{self._bucket}/{check_prefix(key)}"

    async def _put_object(self, key: str, data: bytes, headers: dict[str, Any]) -> int:
        await self._client.put_object(Bucket=self._bucket, Key=key, Body=data, **headers)
        return len(data)

    async def _put_stream(
        self, key: str, data: AsyncIterable[bytes], headers: dict[str, Any]
    ) -> int:
        chunks = parts(data, PART_BYTES)
        try:
            first = await anext(chunks, b"")
            second = await anext(chunks, None)
            if second is None:
                return await self._put_object(key, first, headers)
            return await self._multipart(key, [first, second], chunks, headers)
        finally:
            await chunks.aclose()

    async def _multipart(
        self,
        key: str,
        head: builtins.list[bytes],
        rest: AsyncIterator[bytes],
        headers: dict[str, Any],
    ) -> int:
        bucket = self._bucket
        upload = await self._client.create_multipart_upload(Bucket=bucket, Key=key, **headers)
        upload_id = upload["UploadId"]
        done: builtins.list[CompletedPartTypeDef] = []
        size = 0
        try:
            for body in head:
                size += await self._upload_part(key, upload_id, done, body)
            async for body in rest:
                size += await self._upload_part(key, upload_id, done, body)
            await self._client.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await self._client.abort_multipart_upload(
                    Bucket=bucket, Key=key, UploadId=upload_id
                )
            raise
        return size

    async def _upload_part(
        self, key: str, upload_id: str, done: builtins.list[CompletedPartTypeDef], body: bytes
    ) -> int:
        number = len(done) + 1
        response = await self._client.upload_part(
            Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        done.append({"ETag": response["ETag"], "PartNumber": number})
        return len(body)

    async def _head(self, key: str, limit: asyncio.Semaphore) -> BlobInfo | None:
        async with limit:
            try:
                head = await self._client.head_object(Bucket=self._bucket, Key=key)
            except Exception as error:
                if is_missing(error):  # deleted since it was listed
                    return None
                raise
        content_type = head.get("ContentType") or DEFAULT_CONTENT_TYPE
        return BlobInfo(key, head["ContentLength"], content_type, head.get("ContentEncoding"))


async def _chunks(key: str, source: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    with unavailable_on_failure(f"reading {key}"):
        async for chunk in source:
            yield chunk


async def parts(data: AsyncIterable[bytes], size: int) -> AsyncGenerator[bytes, None]:
    """``data`` regrouped into parts of ``size`` bytes (the last one may be smaller)."""
    buffer = bytearray()
    async for chunk in data:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)
