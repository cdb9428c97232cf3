"""Fixtures of the scheduler's tests: a harness on real RabbitMQ and etcd, or in-process; and
placement and finishing over an in-process store, on a clock the test moves."""

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
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.retention import retention as finished_builds_lease
from aftomato.scheduler.shared_lease import SharedLease, SharedLeases
from tests.scheduler.harness import (
    KEPT_SECONDS,
    RENEW_SECONDS,
    Harness,
    write_build_scripts,
)
from tests.support.clock import ManualClock
from tests.support.fake_kube import FakeKube


@pytest.fixture
async def big_fake_kube() -> AsyncIterator[FakeKube]:
    async with FakeKube(history_limit=100_000) as fake:
        yield fake


PUBLISH_TIMEOUT = 60.0
"""How long the harness's bursts wait for the broker's confirms, not the product's 5 s. Under a
whole suite on a busy machine a burst of 100 has waited over 5 s (on the channel lock, behind
frames not yet written to the broker), where alone it is confirmed in a tenth of that. These
tests are about scheduling; a slow broker's 503 and retries are tested in tests/ingest and
tests/reliability."""


@pytest.fixture
async def harness(
    amqp_url: str, etcd_endpoint: str, etcd_prefix: str, big_fake_kube: FakeKube, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = AmqpSettings(url=SecretStr(amqp_url), publish_timeout=PUBLISH_TIMEOUT)
    bus = await RabbitMqBus.connect(settings)
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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> InMemoryStore:
    return InMemoryStore(clock=clock)


@pytest.fixture
def notes_lease(store: InMemoryStore, clock: ManualClock) -> SharedLease:
    """The lease finished builds' notes are written on, shared by placement and finishing."""
    return finished_builds_lease(store, KEPT_SECONDS, renew_seconds=RENEW_SECONDS, clock=clock)


@pytest.fixture
def placement(store: InMemoryStore, clock: ManualClock, notes_lease: SharedLease) -> Placement:
    return Placement(
        store,
        BuildKeys(),
        max_running=4,
        lease_seconds=lambda _: 60,
        retention=notes_lease,
        lock_leases=SharedLeases(store, clock=clock),
        clock=clock,
    )


@pytest.fixture
def finishing(store: InMemoryStore, placement: Placement, notes_lease: SharedLease) -> Finishing:
    return Finishing(store, placement, retention=notes_lease)
