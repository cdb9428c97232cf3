"""What only the S3 store promises: multipart for large streams, the bucket helper, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aioboto3
import botocore.config
import pytest

from aftomato.common.blobs import BlobStoreUnavailable, read_all
from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.blobs.s3_bucket import create_bucket
from aftomato.common.settings import AwsSettings
from tests.support.servers.moto import AwsNames
from tests.support.servers.ports import free_port

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


@pytest.fixture
async def client(aws_endpoint: str) -> AsyncIterator[S3Client]:
    async with aioboto3.Session().client("s3", endpoint_url=aws_endpoint) as s3:
        yield s3


@pytest.fixture
async def store(
    client: S3Client, aws_endpoint: str, aws_names: AwsNames
) -> AsyncIterator[S3BlobStore]:
    await create_bucket(client, aws_names.artifacts_bucket)
    s3 = await S3BlobStore.connect(
        AwsSettings(endpoint_url=aws_endpoint), aws_names.artifacts_bucket
    )
    try:
        yield s3
    finally:
        await s3.close()


async def megabytes(count: int) -> AsyncIterator[bytes]:
    for n in range(count):
        yield bytes([n]) * MIB


async def test_a_large_stream_goes_up_in_parts(
    store: S3BlobStore, client: S3Client, aws_names: AwsNames, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aftomato.common.blobs.s3.PART_BYTES", 5 * MIB)
    info = await store.put("b1/big.tar", megabytes(11), content_type="application/x-tar")
    assert info.size == 11 * MIB
    head = await client.head_object(Bucket=aws_names.artifacts_bucket, Key="b1/big.tar")
    assert head["ETag"].endswith('-3"')  # three parts: 5 + 5 + 1 MiB
    assert head["ContentType"] == "application/x-tar"
    assert await read_all(store, "b1/big.tar") == b"".join(bytes([n]) * MIB for n in range(11))


async def test_a_failed_stream_leaves_no_upload_behind(
    store: S3BlobStore, client: S3Client, aws_names: AwsNames, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aftomato.common.blobs.s3.PART_BYTES", 5 * MIB)

    async def broken() -> AsyncIterator[bytes]:
        async for chunk in megabytes(11):
            yield chunk
        raise OSError("the pod log ended early")

    with pytest.raises(OSError, match="ended early"):
        await store.put("b1/log", broken(), content_type="text/plain")
    uploads = await client.list_multipart_uploads(Bucket=aws_names.artifacts_bucket)
    assert uploads.get("Uploads", []) == []
    assert await store.list("b1/") == []


async def test_create_bucket_may_run_again(client: S3Client, aws_names: AwsNames) -> None:
    await create_bucket(client, aws_names.logs_bucket)
    await create_bucket(client, aws_names.logs_bucket)
    buckets = [bucket["Name"] for bucket in (await client.list_buckets())["Buckets"]]
    assert aws_names.logs_bucket in buckets


async def test_a_missing_bucket_is_unavailable(aws_endpoint: str) -> None:
    store = await S3BlobStore.connect(AwsSettings(endpoint_url=aws_endpoint), "no-such-bucket")
    try:
        with pytest.raises(BlobStoreUnavailable, match="NoSuchBucket"):
            await store.put("b1/x", b"x", content_type="text/plain")
    finally:
        await store.close()


@pytest.mark.usefixtures("aws_endpoint")  # for its test credentials
async def test_an_unreachable_endpoint_is_unavailable() -> None:
    settings = AwsSettings(endpoint_url=f"http://127.0.0.1:{free_port()}")
    config = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1)
    store = await S3BlobStore.connect(settings, "logs", config=config)
    try:
        with pytest.raises(BlobStoreUnavailable, match="reading b1/x"):
            await read_all(store, "b1/x")
        with pytest.raises(BlobStoreUnavailable, match="listing"):
            await store.list("b1/")
    finally:
        await store.close()
