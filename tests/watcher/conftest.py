"""The watcher's integration rig: real RabbitMQ, etcd and moto, the fake Kubernetes API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.settings import AmqpSettings, EtcdSettings
from aftomato.watcher.settings import WatcherSettings
from tests.support.fake_kube import FakeKube
from tests.support.servers.moto import AwsNames
from tests.watcher.rig import Rig, aws_settings, create_aws_resources


@pytest.fixture
async def rig(
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
) -> AsyncIterator[Rig]:
    aws = aws_settings(aws_endpoint, aws_names)
    await create_aws_resources(aws)
    bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(amqp_url)))
    coordination = await EtcdStore.connect(EtcdSettings(endpoints=(etcd_endpoint,)))
    settings = WatcherSettings(
        pending_timeout_seconds=1, resync_seconds=2, vanished_grace_seconds=1
    )
    rig = Rig(bus, coordination, BuildKeys(etcd_prefix), fake_kube, aws, settings)
    await rig.listen()
    try:
        yield rig
    finally:
        await bus.close()
        await coordination.close()
