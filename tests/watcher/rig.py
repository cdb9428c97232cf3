"""A watcher under test on real RabbitMQ, etcd and moto, with the fake Kubernetes API as kubelet.

``Rig.launch(...)`` does what the scheduler does for one build (the record's first facts, the
lock on its lease, the pod from the real manifest); the test then drives the pod's phases.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aioboto3
from kubernetes_asyncio.client import CoreV1Api

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.blobs.s3_bucket import create_bucket
from aftomato.common.bus import Bus, Delivery
from aftomato.common.coordination import CoordinationStore, Put
from aftomato.common.coordination.keys import BuildKeys, RunningBuild, branch_key
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildRequested, BuildScheduled, Message, Source
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.dynamodb_table import create_table
from aftomato.common.records.store import BuildStore
from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.settings import AwsSettings, ScriptsSettings
from aftomato.scheduler.manifests import build_pod
from aftomato.scheduler.pod_settings import PodContext, PodSettings
from aftomato.watcher.kube_source import KubePodSource
from aftomato.watcher.reporting.wiring import ReportingWiring
from aftomato.watcher.service import WatcherParts, compose_watcher
from aftomato.watcher.settings import WatcherSettings
from tests.support.fake_kube import FakeKube, api_client, as_pod
from tests.support.servers.moto import AwsNames
from tests.support.waiting import eventually

NAMESPACE = "aftomato-builds"
OpenReporting = Callable[[contextlib.AsyncExitStack, BuildStore], Awaitable[ReportingWiring]]


def aws_settings(endpoint: str, names: AwsNames) -> AwsSettings:
    return AwsSettings(
        endpoint_url=endpoint,
        table=names.table,
        logs_bucket=names.logs_bucket,
        artifacts_bucket=names.artifacts_bucket,
    )


async def create_aws_resources(aws: AwsSettings) -> None:
    session = aioboto3.Session(region_name=aws.region)
    async with session.client("dynamodb", endpoint_url=aws.endpoint_url) as dynamodb:
        await create_table(dynamodb, aws.table)
    async with session.client("s3", endpoint_url=aws.endpoint_url) as s3:
        await create_bucket(s3, aws.logs_bucket)
        await create_bucket(s3, aws.artifacts_bucket)


@dataclass
class Rig:
    bus: Bus
    coordination: CoordinationStore
    keys: BuildKeys
    fake: FakeKube
    aws: AwsSettings
    settings: WatcherSettings = field(default_factory=WatcherSettings)
    heard: list[Message] = field(default_factory=list)

    async def listen(self) -> None:
        async def record(delivery: Delivery) -> None:
            self.heard.append(delivery.message)

        await self.bus.subscribe("test-heard", ["build.started", "build.finished"], record)

    def of(self, kind: type[Message], build_id: str) -> list[Message]:
        return [
            m for m in self.heard if isinstance(m, kind) and getattr(m, "build_id", "") == build_id
        ]

    async def launch(self, number: int, branch: str = "main") -> BuildRequested:
        """What the scheduler does for a build: its record's facts, its lock, its pod."""
        request = BuildRequested(
            build_id=derived_build_id("generic", f"d{number}", "team/app", branch),
            project_key="team/app",
            branch=branch,
            source=Source.GENERIC,
            delivery_id=f"d{number}",
            commit="a" * 40,
        )
        await self.bus.publish(request)
        await self._take_lock(request)
        context = PodContext(
            pod=PodSettings(),
            scripts=ScriptsSettings(repo="https://git.example.invalid/scripts.git"),
            aws=self.aws,
            namespace=NAMESPACE,
        )
        manifest = build_pod(request, ProjectConfig(), context)
        async with api_client(self.fake.url) as client:
            await CoreV1Api(client).create_namespaced_pod(NAMESPACE, as_pod(manifest))
        await self.bus.publish(
            BuildScheduled(
                build_id=request.build_id,
                project_key=request.project_key,
                branch=request.branch,
                namespace=NAMESPACE,
                pod_name=manifest["metadata"]["name"],
            )
        )
        return request

    async def _take_lock(self, request: BuildRequested) -> None:
        lease = await self.coordination.grant_lease(600)
        branch = branch_key(request.project_key, request.branch)
        running = RunningBuild(request=request.model_dump_json(), branch=branch, lease=lease)
        await self.coordination.transaction(
            [],
            [
                Put(self.keys.lock(branch), request.build_id.encode(), lease),
                Put(self.keys.running(request.build_id), running.model_dump_json().encode(), lease),
            ],
        )

    async def lock_held(self, request: BuildRequested) -> bool:
        branch = branch_key(request.project_key, request.branch)
        return await self.coordination.get(self.keys.lock(branch)) is not None

    @contextlib.asynccontextmanager
    async def watcher(
        self,
        *,
        abrupt: bool = False,
        reporting: OpenReporting | None = None,
        settings: WatcherSettings | None = None,
    ) -> AsyncIterator[WatcherParts]:
        """A running watcher; leaving the block stops it (``abrupt``: as a SIGKILL would).

        ``reporting`` opens the reporting parts to run beside it (tests/watcher/reporting/);
        ``settings`` replaces the rig's own for this watcher."""
        stack = contextlib.AsyncExitStack()
        async with stack:
            records = await DynamoDbStore.connect(self.aws)
            stack.push_async_callback(records.close)
            logs = await S3BlobStore.connect(self.aws, self.aws.logs_bucket)
            stack.push_async_callback(logs.close)
            artifacts = await S3BlobStore.connect(self.aws, self.aws.artifacts_bucket)
            stack.push_async_callback(artifacts.close)
            client = await stack.enter_async_context(api_client(self.fake.url))
            wiring = await reporting(stack, records) if reporting else None
            parts = compose_watcher(
                bus=self.bus,
                records=records,
                logs=logs,
                artifacts=artifacts,
                coordination=self.coordination,
                keys=self.keys,
                source=KubePodSource(client, NAMESPACE),
                settings=self.settings if settings is None else settings,
                clock=lambda: datetime.now(UTC),
                reporting=wiring,
            )
            stopping = asyncio.Event()
            tasks = [asyncio.create_task(c.run(stopping)) for c in parts.components]
            try:
                await eventually(lambda: all(c.ready() for c in parts.components), what="watcher")
                yield parts
            finally:
                if abrupt:
                    for task in tasks:
                        task.cancel()
                stopping.set()
                await asyncio.gather(*tasks, return_exceptions=abrupt)


def pod_of(request: BuildRequested) -> str:
    return f"build-{request.build_id}"


def pod_exists(fake: FakeKube, request: BuildRequested) -> bool:
    return any(p["metadata"]["name"] == pod_of(request) for p in fake.pods(NAMESPACE))
