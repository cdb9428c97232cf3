"""The watcher's pod watch cut every few seconds, its resume answered ``410 Gone`` because the
history was compacted meanwhile, while builds run (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.cluster import Cluster
from tests.e2e.scripts_repo import SLOW
from tests.reliability.deliveries import QUICK, Sender
from tests.reliability.ledger import PodLedger, records_follow_pods

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

CUT_EVERY_SECONDS = 1.0
FAILING = "examples/failing"
BUILDS_SECONDS = 75.0


async def test_cut_and_compacted_watches_miss_no_transition(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    ledger = PodLedger(cluster.fake)
    sender = Sender(http, cluster.ingest_url)
    cuts: list[int] = []

    async def cut_forever() -> None:
        while True:
            await asyncio.sleep(CUT_EVERY_SECONDS)
            cluster.fake.compact()  # the resume from the last resourceVersion gets 410
            cuts.append(cluster.fake.cut_watches(abort=len(cuts) % 2 == 1))

    cutting = asyncio.create_task(cut_forever())
    try:
        succeeding = [await sender.push(SLOW, "cut") for _ in range(5)]
        succeeding += [await sender.push(QUICK, f"cut-{n}") for n in range(3)]
        failing = await sender.push(FAILING, "cut")
        records = await records_follow_pods(cluster, ledger, sender.accepted, within=BUILDS_SECONDS)
    finally:
        cutting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await cutting

    assert sum(cuts) >= 3, f"watches cut: {cuts}"
    assert [records[b].state for b in succeeding] == [BuildState.SUCCEEDED] * len(succeeding)
    assert (records[failing].state, records[failing].exit_code) == (BuildState.FAILED, 3)
    assert all(r.started_at is not None and r.finished_at is not None for r in records.values())
    assert ledger.duplicated() == {}
