"""etcd stopped and started again while a build holds its branch's lock (docs/reliability.md)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from aftomato.common.records.model import BuildRecord
from aftomato.common.states import BuildState
from tests.e2e.api import cancel
from tests.e2e.cluster import Backends, Cluster
from tests.e2e.scripts_repo import SLEEPER
from tests.reliability.conftest import StartCluster
from tests.reliability.deliveries import QUICK, Sender
from tests.reliability.etcd_keys import lock_holder
from tests.reliability.ledger import PodLedger, records_follow_pods
from tests.support.servers.etcd import EtcdServer
from tests.support.servers.moto import AwsNames
from tests.support.waiting import eventually_async

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

PREFIX = "/aftomato-reliability/"
HELD = "held"
STATE_SECONDS = 45.0


async def test_an_etcd_restart_keeps_the_lock_and_one_build_per_branch(
    start_cluster: StartCluster,
    private_etcd: EtcdServer,
    amqp_url: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    http: aiohttp.ClientSession,
) -> None:
    backends = Backends(amqp_url, private_etcd.endpoint, PREFIX, aws_endpoint, aws_names)
    async with start_cluster(backends) as cluster:
        ledger = PodLedger(cluster.fake)
        sender = Sender(http, cluster.ingest_url)
        first = await sender.push(SLEEPER, HELD)
        await _reaches(cluster, first, BuildState.RUNNING)
        assert lock_holder(private_etcd.url, PREFIX, SLEEPER, HELD) == first

        await asyncio.to_thread(private_etcd.restart)

        assert lock_holder(private_etcd.url, PREFIX, SLEEPER, HELD) == first
        second = await sender.push(SLEEPER, HELD)
        quick = await sender.push(QUICK, "after-restart")
        await _reaches(cluster, second, BuildState.QUEUED)
        assert (await _reaches(cluster, quick, BuildState.SUCCEEDED)).exit_code == 0
        assert ledger.most_alive[SLEEPER, HELD] == 1

        assert (await cancel(http, cluster.api_url, first)).status == 202
        await _reaches(cluster, second, BuildState.RUNNING)
        assert lock_holder(private_etcd.url, PREFIX, SLEEPER, HELD) == second
        assert (await cancel(http, cluster.api_url, second)).status == 202
        records = await records_follow_pods(cluster, ledger, sender.accepted, within=STATE_SECONDS)

    assert [records[b].state for b in (first, second)] == [BuildState.CANCELLED] * 2
    assert ledger.most_alive[SLEEPER, HELD] == 1
    assert ledger.duplicated() == {}


async def _reaches(cluster: Cluster, build_id: str, state: BuildState) -> BuildRecord:
    async def probe() -> BuildRecord | None:
        record = await cluster.records.get(build_id)
        return record if record is not None and record.state is state else None

    return await eventually_async(
        probe, within=STATE_SECONDS, interval=0.1, what=f"{build_id} {state}"
    )
