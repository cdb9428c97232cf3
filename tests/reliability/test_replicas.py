"""Two replicas of every service at once, under a burst (docs/reliability.md)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.cluster import Cluster
from tests.e2e.scripts_repo import SLOW
from tests.reliability.console import incomplete_logs
from tests.reliability.deliveries import QUICK, Sender
from tests.reliability.faults import second_replicas
from tests.reliability.ledger import PodLedger, records_follow_pods

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

BRANCHES = 3
SLOW_PUSHES = 4
BUILDS_SECONDS = 75.0


async def test_two_replicas_of_every_service_build_each_request_once(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    ledger = PodLedger(cluster.fake)
    async with second_replicas(cluster) as replicas:
        senders = [
            Sender(http, cluster.ingest_url, cluster.api_url),
            Sender(http, replicas[0].url, replicas[3].url),
        ]
        assert [r.name for r in replicas] == ["ingest", "scheduler", "watcher", "api"]
        await asyncio.gather(
            *(s.push(QUICK, f"replicas-{b}") for s in senders for b in range(BRANCHES)),
            *(s.push(SLOW, "replicas-slow") for s in senders for _ in range(SLOW_PUSHES // 2)),
            *(s.launch(QUICK, "launched") for s in senders),
        )
        accepted = [b for s in senders for b in s.accepted]
        records = await records_follow_pods(cluster, ledger, accepted, within=BUILDS_SECONDS)

    assert len(set(accepted)) == len(accepted) == 2 * (BRANCHES + SLOW_PUSHES // 2 + 1)
    assert {r.state for r in records.values()} == {BuildState.SUCCEEDED}
    assert ledger.duplicated() == {}
    assert await incomplete_logs(cluster, records) == {}
    assert ledger.overlapping() == {}
