"""The scheduler, the watcher and the api each killed with SIGKILL in the middle of a burst of
builds, then started again (docs/reliability.md)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.cluster import Cluster
from tests.e2e.scripts_repo import SLOW
from tests.reliability.console import incomplete_logs
from tests.reliability.deliveries import QUICK, Sender
from tests.reliability.faults import kill, restart
from tests.reliability.ledger import PodLedger, records_follow_pods

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

BRANCHES = 3
ROUNDS = 3
DOWN_SECONDS = 2.0
BUILDS_SECONDS = 75.0


async def burst(sender: Sender, round_: int) -> None:
    """One push per branch of the quick project and of the slow one, and one launch by api."""
    await asyncio.gather(
        *(sender.push(QUICK, f"kill-{b}") for b in range(BRANCHES)),
        sender.push(SLOW, "kill-slow"),
        sender.launch(QUICK, f"launched-{round_}"),
    )


@pytest.mark.parametrize("victim", ["scheduler", "watcher", "api"])
async def test_a_service_killed_mid_burst_loses_and_duplicates_nothing(
    cluster: Cluster, http: aiohttp.ClientSession, victim: str
) -> None:
    ledger = PodLedger(cluster.fake)
    sender = Sender(http, cluster.ingest_url, cluster.api_url)
    await burst(sender, 0)

    await kill(cluster.services[victim])
    during = asyncio.create_task(burst(sender, 1))
    await asyncio.sleep(DOWN_SECONDS)
    await restart(cluster.services[victim])
    await during
    await burst(sender, 2)

    records = await records_follow_pods(cluster, ledger, sender.accepted, within=BUILDS_SECONDS)
    assert len(set(sender.accepted)) == len(sender.accepted) == ROUNDS * (BRANCHES + 2)
    assert {r.state for r in records.values()} == {BuildState.SUCCEEDED}, {
        b: (r.state, r.reason) for b, r in records.items() if r.state is not BuildState.SUCCEEDED
    }
    assert ledger.duplicated() == {}
    assert await incomplete_logs(cluster, records) == {}
    assert ledger.overlapping() == {}
