"""Failing builds, bursts on one branch and cancels, through every service as a process."""

from __future__ import annotations

import asyncio
import itertools

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.api import cancel
from tests.e2e.cluster import NAMESPACE, Cluster
from tests.e2e.outcomes import console_log, finished
from tests.e2e.pods import BranchOverlap
from tests.e2e.scripts_repo import OVERDUE, SLEEPER, SLOW
from tests.e2e.webhooks import PUSH_BRANCH, push, push_body
from tests.support.waiting import eventually, eventually_async

pytestmark = pytest.mark.integration

BURST = 4
BURST_SECONDS = 60.0
"""All of the burst, one build after the other (about 7 s on a quiet machine)."""


async def test_a_failing_script_ends_failed_with_its_exit_code(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body("examples/failing"))

    record = await finished(cluster, accepted.build_id)

    assert (record.state, record.exit_code) == (BuildState.FAILED, 3)
    assert record.reason == "build.sh exited with code 3"
    assert "3 tests failed" in await console_log(cluster, accepted.build_id)


async def test_a_build_past_its_timeout_is_stopped_and_ends_timed_out(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body(OVERDUE))

    record = await finished(cluster, accepted.build_id)

    assert record.state is BuildState.TIMED_OUT
    assert record.reason == "the build ran past its timeout of 2s"
    assert "this takes too long" in await console_log(cluster, accepted.build_id)


async def test_a_burst_of_pushes_to_one_branch_runs_one_at_a_time_and_all_end(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    overlap = BranchOverlap(cluster.fake, NAMESPACE)
    body = push_body(SLOW)

    burst = await asyncio.gather(*(push(http, cluster.ingest_url, body) for _ in range(BURST)))

    async with asyncio.timeout(BURST_SECONDS):
        records = [await finished(cluster, accepted.build_id) for accepted in burst]
    assert [r.state for r in records] == [BuildState.SUCCEEDED] * BURST
    assert len(overlap.pods_seen) == BURST
    assert overlap.most_alive[SLOW, PUSH_BRANCH] == 1
    runs = sorted((r.started_at, r.finished_at) for r in records if r.started_at and r.finished_at)
    assert len(runs) == BURST
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(runs))


async def test_a_cancel_through_the_api_stops_the_running_build(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body(SLEEPER))

    async def running() -> bool:
        record = await cluster.records.get(accepted.build_id)
        return record is not None and record.state is BuildState.RUNNING

    await eventually_async(running, within=45, interval=0.1, what="the build to run")
    await eventually(lambda: _logged(cluster, "sleeping until stopped"), within=20)
    answer = await cancel(http, cluster.api_url, accepted.build_id)

    record = await finished(cluster, accepted.build_id)

    assert answer.status == 202
    assert record.state is BuildState.CANCELLED
    await eventually(lambda: not cluster.build_pods(), within=20, what="the pod to go")
    assert not cluster.node.runs


def _logged(cluster: Cluster, text: str) -> bool:
    return any(
        text in log.text()
        for record in cluster.fake.store.pods.values()
        for log in record.logs.values()
    )
