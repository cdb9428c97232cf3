"""RabbitMQ stopped and started again while webhooks keep arriving (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.cluster import Backends
from tests.reliability.conftest import StartCluster
from tests.reliability.deliveries import QUICK, Sender, deliver, push_body
from tests.reliability.ledger import PodLedger, records_follow_pods
from tests.support.servers.moto import AwsNames
from tests.support.servers.rabbitmq import RabbitMQServer
from tests.support.waiting import eventually_async

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

PUSHES = 12
BRANCHES = 4
PUSH_INTERVAL = 0.5
RESUME_SECONDS = 10.0
BUILDS_SECONDS = 75.0


async def test_a_broker_restart_under_webhook_load_loses_no_accepted_webhook(
    start_cluster: StartCluster,
    private_rabbitmq: RabbitMQServer,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    http: aiohttp.ClientSession,
) -> None:
    backends = Backends(private_rabbitmq.url(), etcd_endpoint, etcd_prefix, aws_endpoint, aws_names)
    async with start_cluster(backends) as cluster:
        ledger = PodLedger(cluster.fake)
        sender = Sender(http, cluster.ingest_url)

        async def load() -> None:
            pushes = []
            for n in range(PUSHES):
                pushes.append(asyncio.create_task(sender.push(QUICK, f"load-{n % BRANCHES}")))
                await asyncio.sleep(PUSH_INTERVAL)
            await asyncio.gather(*pushes)

        under_load = asyncio.create_task(load())
        await asyncio.sleep(PUSHES * PUSH_INTERVAL / 3)
        await asyncio.to_thread(private_rabbitmq.stop)

        outage = await deliver(http, cluster.ingest_url, push_body(QUICK, "outage"), "outage-1")
        assert outage.status == 503, outage
        assert json.loads(outage.body)["error"]["message"], outage.body

        await asyncio.to_thread(private_rabbitmq.start)
        back = time.monotonic()
        resumed = await _accepted_again(http, cluster.ingest_url)
        assert resumed - back <= RESUME_SECONDS, f"accepted again {resumed - back:.1f} s after"

        await under_load
        records = await records_follow_pods(cluster, ledger, sender.accepted, within=BUILDS_SECONDS)

    assert len(sender.accepted) == len(set(sender.accepted)) == PUSHES
    assert {r.state for r in records.values()} == {BuildState.SUCCEEDED}
    assert ledger.duplicated() == {}
    assert ledger.overlapping() == {}
    assert sender.answers[503] >= 1, sender.answers


async def _accepted_again(http: aiohttp.ClientSession, ingest_url: str) -> float:
    """When a fresh delivery is first answered 202 after the broker is back."""
    body = push_body(QUICK, "resumed")
    delivery_id = str(uuid.uuid4())

    async def accepted() -> bool:
        return (await deliver(http, ingest_url, body, delivery_id)).status == 202

    await eventually_async(accepted, within=RESUME_SECONDS * 3, interval=0.1, what="a 202")
    return time.monotonic()
