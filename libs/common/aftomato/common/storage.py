"""Where builds are kept in production: DynamoDB records, S3 console logs, S3 artifacts.

The watcher writes them and the api reads them; both open the three the same way, closed by the
caller's exit stack.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.settings import AwsSettings


@dataclass(frozen=True)
class BuildStorage:
    records: DynamoDbStore
    logs: S3BlobStore
    artifacts: S3BlobStore


async def open_build_storage(stack: AsyncExitStack, aws: AwsSettings) -> BuildStorage:
    """Connect the record table and both buckets; ``stack`` closes them."""
    records = await DynamoDbStore.connect(aws)
    stack.push_async_callback(records.close)
    logs = await S3BlobStore.connect(aws, aws.logs_bucket)
    stack.push_async_callback(logs.close)
    artifacts = await S3BlobStore.connect(aws, aws.artifacts_bucket)
    stack.push_async_callback(artifacts.close)
    return BuildStorage(records, logs, artifacts)
