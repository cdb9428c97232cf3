"""The baseline of ``bench.watcher``: the least any watcher must do to finalise a finished pod.

Made directly with the clients (aioboto3, aetcd, aiohttp), no Aftomato code on the way: list the
namespace's build pods once, then for each, ``CONCURRENCY`` at a time: read the build container's
log, gzip it, ``PutObject`` it; read the record (``GetItem``, consistent) and put the final one on
condition that its version is unchanged (``PutItem``: the record store's read-merge-put, which
never moves a record backwards); look the build's lease up and revoke it (lock release); delete
the pod.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aetcd
import aiohttp

from aftomato.common.blobs.store import console_log_key

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_s3.client import S3Client

CONCURRENCY = 64
BUILD_ID_LABEL = "aftomato.io/build-id"
SELECTOR = "app.kubernetes.io/managed-by=aftomato"


@dataclass
class Baseline:
    s3: S3Client
    dynamodb: DynamoDBClient
    etcd: aetcd.Client
    http: aiohttp.ClientSession
    kube_url: str
    table: str
    bucket: str
    prefix: str

    async def finalise_namespace(self, namespace: str) -> int:
        """Finalise every build pod of ``namespace``; how many there were."""
        url = f"{self.kube_url}/api/v1/namespaces/{namespace}/pods"
        async with self.http.get(url, params={"labelSelector": SELECTOR}) as answer:
            answer.raise_for_status()
            pods = (await answer.json())["items"]
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(pod: dict[str, Any]) -> None:
            async with limit:
                await self.finalise(namespace, pod)

        await asyncio.gather(*(one(pod) for pod in pods))
        return len(pods)

    async def finalise(self, namespace: str, pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        build_id = pod["metadata"]["labels"][BUILD_ID_LABEL]
        pod_url = f"{self.kube_url}/api/v1/namespaces/{namespace}/pods/{name}"
        async with self.http.get(f"{pod_url}/log", params={"container": "build"}) as answer:
            answer.raise_for_status()
            log = gzip.compress(await answer.read(), compresslevel=6)
        key = console_log_key(build_id)
        await self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=log,
            ContentType="text/plain; charset=utf-8",
            ContentEncoding="gzip",
        )
        await self._final_record(build_id, f"s3://{self.bucket}/{key}")
        running = await self.etcd.get(f"{self.prefix}running/{build_id}".encode())
        if running is not None:
            await self.etcd.revoke_lease(json.loads(running.value)["lease"])
        async with self.http.delete(pod_url) as answer:
            answer.raise_for_status()

    async def _final_record(self, build_id: str, log_location: str) -> None:
        found = await self.dynamodb.get_item(
            TableName=self.table, Key={"buildID": {"S": build_id}}, ConsistentRead=True
        )
        item = dict(found["Item"])
        version = item["version"]["N"]
        item.pop("isBuilding", None)
        item |= {
            "buildState": {"S": "succeeded"},
            "buildStateRank": {"N": "4"},
            "buildResult": {"N": "0"},
            "finishedAt": {"S": datetime.now(UTC).isoformat(timespec="microseconds")},
            "logLocation": {"S": log_location},
            "version": {"N": str(int(version) + 1)},
        }
        await self.dynamodb.put_item(
            TableName=self.table,
            Item=item,
            ConditionExpression="#version = :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":version": {"N": version}},
        )
