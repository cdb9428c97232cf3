"""What ``bench.watcher`` runs against: a private etcd and moto, S3 buckets and a DynamoDB table,
the fake Kubernetes API full of finished pods in a process of its own, and each pod's build as
the scheduler leaves it (a ``requested`` record, a lock and running entry on a lease)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.coordination import CoordinationStore, Put
from aftomato.common.coordination.keys import BuildKeys, RunningBuild, branch_key
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.events import update_from
from aftomato.common.settings import AwsSettings
from bench._watch_kube import bench_request
from tests.support.servers.etcd import EtcdServer
from tests.support.servers.moto import MotoServer

PREFIX = "/aftomato-bench/"
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}
LEASE_SECONDS = 3600
SEEDING = 32
"""Builds seeded at a time."""


@dataclass(frozen=True)
class Backends:
    etcd_endpoint: str
    aws: AwsSettings


@contextmanager
def backends(root: Path) -> Iterator[Backends]:
    """A private etcd and moto under ``root`` (AWS test credentials in this process's env)."""
    os.environ.update(AWS_ENVIRONMENT)
    with ExitStack() as stack:
        etcd = EtcdServer(root / "etcd")
        stack.callback(etcd.close)
        etcd.start()
        moto = MotoServer(root / "moto")
        stack.callback(moto.close)
        moto.start()
        aws = AwsSettings(
            endpoint_url=moto.url,
            table="aftomato-bench-builds",
            logs_bucket="aftomato-bench-logs",
            artifacts_bucket="aftomato-bench-artifacts",
        )
        yield Backends(etcd.endpoint, aws)


async def seed(
    records: DynamoDbStore, coordination: CoordinationStore, namespace: str, count: int
) -> None:
    """Every build of ``namespace`` as the scheduler leaves it: record, lock, running entry."""
    keys = BuildKeys(PREFIX)
    limit = asyncio.Semaphore(SEEDING)

    async def one(number: int) -> None:
        request = bench_request(namespace, number)
        async with limit:
            update = update_from(request)
            assert update is not None
            await records.apply(update)
            lease = await coordination.grant_lease(LEASE_SECONDS)
            branch = branch_key(request.project_key, request.branch)
            running = RunningBuild(request=request.model_dump_json(), branch=branch, lease=lease)
            await coordination.transaction(
                [],
                [
                    Put(keys.lock(branch), request.build_id.encode(), lease),
                    Put(keys.running(request.build_id), running.model_dump_json().encode(), lease),
                ],
            )

    await asyncio.gather(*(one(number) for number in range(count)))


@asynccontextmanager
async def fake_kube(counts: dict[str, int], log: Path) -> AsyncIterator[str]:
    """``bench._watch_kube`` with ``counts`` finished pods per namespace; yields its URL."""
    arguments = [f"{namespace}={count}" for namespace, count in counts.items()]
    with log.open("wb") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench._watch_kube",
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    stdin, stdout = process.stdin, process.stdout
    if stdin is None or stdout is None:
        raise RuntimeError("no pipes to the fake Kubernetes API's process")
    try:
        url = (await stdout.readline()).decode().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the fake Kubernetes API did not start; see {log}")
        yield url
    finally:
        stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
