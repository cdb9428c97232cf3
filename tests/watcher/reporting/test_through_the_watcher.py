"""Reporting inside the real watcher: real RabbitMQ, etcd and moto, the fake Kubernetes API,
the fake SCM. Statuses follow real messages, and an SCM that is down never holds up a record."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.bus import Bus
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.messages import Source
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.settings import AmqpSettings, EtcdSettings
from aftomato.common.states import BuildState
from aftomato.watcher.kube_source import KubePodSource
from aftomato.watcher.reporting.wiring import open_reporting
from aftomato.watcher.service import compose_watcher
from aftomato.watcher.settings import WatcherSettings
from tests.support.fake_kube import FakeKube, api_client
from tests.support.fake_scm import FakeScm
from tests.support.servers.moto import AwsNames
from tests.support.waiting import eventually, eventually_async
from tests.watcher.reporting.harness import FAST, Build, settings_for
from tests.watcher.rig import NAMESPACE, aws_settings, create_aws_resources

pytestmark = pytest.mark.integration


@dataclass
class Running:
    bus: Bus
    records: DynamoDbStore


@asynccontextmanager
async def watcher_with_reporting(
    scm: FakeScm,
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
) -> AsyncIterator[Running]:
    aws = aws_settings(aws_endpoint, aws_names)
    await create_aws_resources(aws)
    async with AsyncExitStack() as stack:
        # A generous delivery limit: on a busy machine the SCM may stay down for many retries.
        amqp = AmqpSettings(url=SecretStr(amqp_url), delivery_limit=100)
        bus = await RabbitMqBus.connect(amqp)
        stack.push_async_callback(bus.close)
        etcd = await EtcdStore.connect(EtcdSettings(endpoints=(etcd_endpoint,)))
        stack.push_async_callback(etcd.close)
        records = await DynamoDbStore.connect(aws)
        stack.push_async_callback(records.close)
        logs = await S3BlobStore.connect(aws, aws.logs_bucket)
        stack.push_async_callback(logs.close)
        artifacts = await S3BlobStore.connect(aws, aws.artifacts_bucket)
        stack.push_async_callback(artifacts.close)
        client = await stack.enter_async_context(api_client(fake_kube.url))
        reporting = await open_reporting(
            stack,
            settings_for(scm, "github"),
            records=records,
            coordination=etcd,
            prefix=etcd_prefix,
            policy=FAST,
        )
        parts = compose_watcher(
            bus=bus,
            records=records,
            logs=logs,
            artifacts=artifacts,
            coordination=etcd,
            keys=BuildKeys(etcd_prefix),
            source=KubePodSource(client, NAMESPACE),
            settings=WatcherSettings(),
            clock=lambda: datetime.now(UTC),
            reporting=reporting,
        )
        stopping = asyncio.Event()
        tasks = [asyncio.create_task(c.run(stopping)) for c in parts.components]
        try:
            await eventually(lambda: all(c.ready() for c in parts.components), what="watcher")
            yield Running(bus, records)
        finally:
            stopping.set()
            await asyncio.gather(*tasks)


@pytest.fixture
async def running(
    scm: FakeScm,
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
) -> AsyncIterator[Running]:
    async with watcher_with_reporting(
        scm, amqp_url, etcd_endpoint, etcd_prefix, aws_endpoint, aws_names, fake_kube
    ) as watcher:
        yield watcher


async def test_statuses_follow_the_build_messages(running: Running, scm: FakeScm) -> None:
    build = Build(Source.GITHUB, "octo/app")
    await running.bus.publish(build.requested())
    await eventually(lambda: scm.states("github") == ["pending"], what="pending")
    await running.bus.publish(build.started())
    await eventually(lambda: len(scm.statuses) == 2, what="running")
    await running.bus.publish(build.finished())
    await eventually(lambda: scm.states("github") == ["pending"] * 2 + ["success"], what="success")
    assert [s.body["description"] for s in scm.statuses] == [
        "Build requested",
        "Build running",
        "Build succeeded",
    ]
    assert scm.problems == []


async def test_an_scm_that_is_down_does_not_hold_up_records(running: Running, scm: FakeScm) -> None:
    build = Build(Source.GITHUB, "octo/app", number=2)
    scm.down()
    for message in (build.requested(), build.started(), build.finished(BuildState.FAILED)):
        await running.bus.publish(message)

    async def recorded() -> bool:
        record = await running.records.get(build.build_id)
        return record is not None and record.state is BuildState.FAILED

    await eventually_async(recorded, within=30, what="the failed build's record")
    assert scm.statuses == []
    assert len(scm.attempts) >= 1, "reporting did not even try"
    scm.up()
    await eventually(
        lambda: scm.states("github")[-1:] == ["failure"], within=60, what="the failure status"
    )
    states = scm.states("github")
    assert states in (["pending", "pending", "failure"], ["pending", "failure"], ["failure"])
    assert scm.problems == []
