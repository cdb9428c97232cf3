"""What S3 errors mean to Aftomato, and creating the bucket (tests, ``aftomato aws bootstrap``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import botocore.exceptions
from botocore.exceptions import ClientError

from aftomato.common.blobs.store import BlobNotFound, BlobStoreUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client
    from types_aiobotocore_s3.literals import BucketLocationConstraintType

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_UNAVAILABLE_CODES = frozenset(
    {"NoSuchBucket", "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}
)

_NETWORK_ERRORS = (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError)
"""Connection refused or reset, timeouts: botocore's own retries are spent."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_missing(error: BaseException) -> bool:
    """Whether ``error`` says that the key does not exist (and not that the bucket does not)."""
    return isinstance(error, ClientError) and _code(error) in _MISSING_CODES


@contextlib.contextmanager
def missing_key(key: str) -> Iterator[None]:
    """Turn S3's "no such key" into :class:`BlobNotFound`."""
    try:
        yield
    except ClientError as error:
        if is_missing(error):
            raise BlobNotFound(f"no blob {key!r}") from error
        raise


@contextlib.contextmanager
def unavailable_on_failure(what: str) -> Iterator[None]:
    """Turn failures to reach S3 (network, throttling, missing bucket) into the retryable kind."""
    try:
        yield
    except _NETWORK_ERRORS as error:
        raise BlobStoreUnavailable(f"{what}: {error}") from error
    except ClientError as error:
        if _code(error) in _UNAVAILABLE_CODES:
            raise BlobStoreUnavailable(f"{what}: {error}") from error
        raise


async def bucket_exists(client: S3Client, name: str) -> bool:
    """Whether this account has bucket ``name`` (a bucket owned by another account raises)."""
    try:
        await client.head_bucket(Bucket=name)
    except ClientError as error:
        if _code(error) not in _MISSING_CODES | {"NoSuchBucket"}:
            raise
        return False
    return True


async def create_bucket(client: S3Client, name: str) -> bool:
    """Create bucket ``name`` in the client's region unless this account has it already.

    Returns whether this call created it.
    """
    if await bucket_exists(client, name):
        return False
    region = client.meta.region_name
    options: dict[str, Any] = {}
    if region and region != "us-east-1":  # us-east-1 refuses its own name as a constraint
        constraint = cast("BucketLocationConstraintType", region)
        options["CreateBucketConfiguration"] = {"LocationConstraint": constraint}
    try:
        await client.create_bucket(Bucket=name, **options)
    except ClientError as error:
        if _code(error) != "BucketAlreadyOwnedByYou":  # created meanwhile by another caller
            raise
        return False
    return True
