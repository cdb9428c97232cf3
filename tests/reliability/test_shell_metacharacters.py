"""Values with shell metacharacters travel only as data (docs/reliability.md): branches and
build parameters that would run a command if anything put them through a shell build, arrive in
the build as they were written, and the command never runs."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.api import OPERATOR
from tests.e2e.cluster import Cluster
from tests.e2e.outcomes import console_log
from tests.reliability.deliveries import QUICK, Sender
from tests.reliability.ledger import PodLedger, records_follow_pods

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

BUILDS_SECONDS = 60.0


def hostile_branches(marker: Path) -> list[str]:
    return [
        f"$(touch {marker}-substitution)",
        f"`touch {marker}-backticks`",
        f"x;touch {marker}-semicolon",
        f"x|touch {marker}-pipe&&touch {marker}-and",
        f"x'\"$(touch {marker}-quotes)\"'",
    ]


async def test_hostile_branches_and_parameters_build_as_data_and_nothing_runs(
    cluster: Cluster, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    ledger = PodLedger(cluster.fake)
    sender = Sender(http, cluster.ingest_url)
    pushed = {await sender.push(QUICK, branch): branch for branch in hostile_branches(marker)}
    launch = {
        "project": QUICK,
        "branch": f"$(touch {marker}-launched)",
        "parameters": {"GREETING": f"$(touch {marker}-parameter);`touch {marker}-p2`"},
    }
    async with http.post(
        f"{cluster.api_url}/api/v1/builds", json=launch, headers=OPERATOR
    ) as answer:
        assert answer.status == 202, await answer.text()
        pushed[str((await answer.json())["build_id"])] = launch["branch"]  # type: ignore[assignment]

    records = await records_follow_pods(cluster, ledger, pushed, within=BUILDS_SECONDS)

    assert {b: (r.state, r.branch) for b, r in records.items()} == {
        b: (BuildState.SUCCEEDED, branch) for b, branch in pushed.items()
    }
    for build, branch in pushed.items():
        assert f"Building branch {branch}\n" in await console_log(cluster, build)
    assert _made_by_a_shell(tmp_path) == []


def _made_by_a_shell(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("pwned"))
