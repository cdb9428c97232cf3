"""Waiting for builds to end, and reading what they left: the record, the log, the artifacts."""

from __future__ import annotations

import gzip

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.blobs.store import console_log_key
from aftomato.common.records.model import BuildRecord
from tests.e2e.cluster import Cluster
from tests.support.waiting import eventually_async

BUILD_SECONDS = 45.0
"""How long one build may take end to end on a loaded two-core machine."""


async def finished(cluster: Cluster, build_id: str, within: float = BUILD_SECONDS) -> BuildRecord:
    """The build's record once it is final and its console log is stored (a cancelled build's
    too: the watcher follows a stopping pod's log, so it is kept though the pod goes at once)."""

    async def probe() -> BuildRecord | None:
        record = await cluster.records.get(build_id)
        if record is None or not record.state.is_final:
            return None
        return record if record.log_location is not None else None

    return await eventually_async(probe, within=within, interval=0.1, what=f"build {build_id}")


async def console_log(cluster: Cluster, build_id: str) -> str:
    """The stored console log (gzip in S3), as text."""
    store = await S3BlobStore.connect(cluster.aws, cluster.aws.logs_bucket)
    try:
        async with store.open(console_log_key(build_id)) as blob:
            data = b"".join([chunk async for chunk in blob.chunks])
    finally:
        await store.close()
    return gzip.decompress(data).decode()


async def artifact_keys(cluster: Cluster, build_id: str) -> list[str]:
    store = await S3BlobStore.connect(cluster.aws, cluster.aws.artifacts_bucket)
    try:
        return [info.key for info in await store.list(f"{build_id}/")]
    finally:
        await store.close()
