"""One contract, two blob stores: S3 (on moto) and a local folder keep the same promises."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3
import pytest

from aftomato.common.blobs import (
    CONSOLE_LOG_CONTENT_TYPE,
    CONSOLE_LOG_ENCODING,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    InvalidBlobKey,
    console_log_key,
    read_all,
)
from aftomato.common.blobs.local import LocalBlobStore
from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.blobs.s3_bucket import create_bucket
from aftomato.common.settings import AwsSettings
from tests.support.servers.moto import AwsNames

HOSTILE_KEYS = ["", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "a\x00b"]


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    endpoint: str = request.getfixturevalue("aws_endpoint")
    names: AwsNames = request.getfixturevalue("aws_names")
    async with aioboto3.Session().client("s3", endpoint_url=endpoint) as client:
        await create_bucket(client, names.logs_bucket)
    s3 = await S3BlobStore.connect(AwsSettings(endpoint_url=endpoint), names.logs_bucket)
    try:
        yield s3
    finally:
        await s3.close()


async def stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def test_put_then_read_back(store: BlobStore) -> None:
    info = await store.put("b1/report.json", b'{"ok": true}', content_type="application/json")
    assert info == BlobInfo("b1/report.json", 12, "application/json", None)
    async with store.open("b1/report.json") as blob:
        assert blob.info == info
        assert b"".join([chunk async for chunk in blob.chunks]) == b'{"ok": true}'
    await store.put("b1/report.json", b"{}", content_type="application/json")
    assert await read_all(store, "b1/report.json") == b"{}"


async def test_streams_go_in_and_come_out_in_chunks(store: BlobStore) -> None:
    data = bytes(range(256)) * 1024  # 256 KiB: several chunks on the way out
    info = await store.put("b1/big.bin", stream(data[:1000], data[1000:]), content_type="x/y")
    assert info.size == len(data)
    async with store.open("b1/big.bin") as blob:
        chunks = [chunk async for chunk in blob.chunks]
    assert len(chunks) > 1
    assert b"".join(chunks) == data


async def test_an_empty_stream_stores_an_empty_blob(store: BlobStore) -> None:
    assert (await store.put("b1/empty", stream(), content_type="text/plain")).size == 0
    assert await read_all(store, "b1/empty") == b""


async def test_a_console_log_keeps_its_gzip_encoding(store: BlobStore) -> None:
    text = "step 1\nstep 2 ✓\n".encode() * 100
    key = console_log_key("b1")
    compressed = gzip.compress(text)
    await store.put(
        key,
        compressed,
        content_type=CONSOLE_LOG_CONTENT_TYPE,
        content_encoding=CONSOLE_LOG_ENCODING,
    )
    async with store.open(key) as blob:
        assert blob.info == BlobInfo(key, len(compressed), "text/plain; charset=utf-8", "gzip")
        stored = b"".join([chunk async for chunk in blob.chunks])
    assert stored == compressed
    assert gzip.decompress(stored) == text
    assert key == "b1/console.log.gz"


async def test_list_by_prefix(store: BlobStore) -> None:
    await store.put("b2/out/z.txt", b"zz", content_type="text/plain")
    await store.put("b2/out/a.bin", b"a", content_type="application/octet-stream")
    await store.put("b2/console.log.gz", b"log", content_type="text/plain", content_encoding="gzip")
    await store.put("b20/other", b"o", content_type="text/plain")
    assert [info.key for info in await store.list("b2/")] == [
        "b2/console.log.gz",
        "b2/out/a.bin",
        "b2/out/z.txt",
    ]
    assert await store.list("b2/out/z") == [BlobInfo("b2/out/z.txt", 2, "text/plain", None)]
    assert [info.key for info in await store.list("b2")][-1] == "b20/other"
    assert len(await store.list()) == 4
    assert await store.list("b3/") == []


async def test_a_missing_blob_is_not_found(store: BlobStore) -> None:
    await store.put("b1/there", b"x", content_type="text/plain")
    with pytest.raises(BlobNotFound, match="b1/missing"):
        async with store.open("b1/missing"):
            pass
    with pytest.raises(BlobNotFound):
        await read_all(store, "b1")


@pytest.mark.parametrize("key", HOSTILE_KEYS)
async def test_hostile_keys_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidBlobKey):
        await store.put(key, b"x", content_type="text/plain")
    with pytest.raises(InvalidBlobKey):
        async with store.open(key):
            pass
    if key not in ("", "a/"):  # a prefix may be empty or end with a slash
        with pytest.raises(InvalidBlobKey):
            await store.list(key)


async def test_the_location_names_the_key(store: BlobStore) -> None:
    location = store.location("b1/console.log.gz")
    assert location.startswith(("s3://", "file:///"))
    assert location.endswith("/b1/console.log.gz")
    assert store.location("b1/").endswith("/b1/")
    with pytest.raises(InvalidBlobKey):
        store.location("../b1")
