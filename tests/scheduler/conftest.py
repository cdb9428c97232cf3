"""Fixtures of the scheduler's tests: a harness on real RabbitMQ and etcd, or in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.settings import AmqpSettings, EtcdSettings
from tests.scheduler.harness import Harness, write_build_scripts
from tests.support.fake_kube import FakeKube


@pytest.fixture
async def big_fake_kube() -> AsyncIterator[FakeKube]:
    async with FakeKube(history_limit=100_000) as fake:
        yield fake


@pytest.fixture
async def harness(
    amqp_url: str, etcd_endpoint: str, etcd_prefix: str, big_fake_kube: FakeKube, tmp_path: Path
) -> AsyncIterator[Harness]:
    bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(amqp_url)))
    store = await EtcdStore.connect(EtcdSettings(endpoints=(etcd_endpoint,)))
    try:
        yield Harness(
            bus,
            store,
            big_fake_kube,
            write_build_scripts(tmp_path / "scripts"),
            BuildKeys(etcd_prefix),
            amqp_url,
        )
    finally:
        await bus.close()
        await store.close()


@pytest.fixture
async def memory_harness(big_fake_kube: FakeKube, tmp_path: Path) -> AsyncIterator[Harness]:
    bus = InMemoryBus(InMemoryBroker())
    try:
        yield Harness(
            bus,
            InMemoryStore(),
            big_fake_kube,
            write_build_scripts(tmp_path / "scripts"),
            BuildKeys("/test/"),
        )
    finally:
        await bus.close()
