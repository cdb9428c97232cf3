"""The simulated node: every pod succeeds through the fake's control functions, no process run."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.fake_kube import FakeKube
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.samples import pod
from tests.support.fake_kube.simulated_node import SimulatedNode

NS = "builds"
STEP = 0.01


def terminated_codes(status: Obj, group: str) -> dict[str, int]:
    return {s["name"]: s["state"]["terminated"]["exitCode"] for s in status[group]}


async def test_a_pod_runs_its_init_then_main_containers_and_succeeds_with_a_short_log(
    fake_kube: FakeKube,
) -> None:
    created: list[Obj] = []
    phases: list[str] = []
    wake = fake_kube.store.changed

    def changed() -> None:
        phases.extend(p.get("status", {}).get("phase", "Pending") for p in fake_kube.pods(NS))
        wake()

    fake_kube.store.changed = changed
    async with SimulatedNode(fake_kube, step_seconds=STEP, on_created=created.append) as node:
        fake_kube.store.create(NS, pod("one", {"app": "soak"}, init_containers=("scripts",)))
        async with asyncio.timeout(10):
            await fake_kube.wait_for(lambda: node.running == 0)
    status = fake_kube.pod(NS, "one")["status"]
    assert status["phase"] == "Succeeded"
    assert terminated_codes(status, "initContainerStatuses") == {"scripts": 0}
    assert terminated_codes(status, "containerStatuses") == {"main": 0}
    assert [p["metadata"]["labels"] for p in created] == [{"app": "soak"}]
    assert list(dict.fromkeys(phases)) == ["Pending", "Running", "Succeeded"]
    log = fake_kube.store.record(NS, "one").logs["main"]
    assert log.text().splitlines() == [f"simulated one: line {n}" for n in (1, 2, 3)]


async def test_a_pod_deleted_while_simulated_goes_at_once_and_its_simulation_stops(
    fake_kube: FakeKube,
) -> None:
    async with SimulatedNode(fake_kube, step_seconds=60) as node:
        fake_kube.store.create(NS, pod("slow"))
        assert node.running == 1
        fake_kube.store.delete(NS, "slow")
        assert fake_kube.pods(NS) == []
        assert node.running == 0


async def test_a_second_node_on_one_fake_is_refused(fake_kube: FakeKube) -> None:
    async with SimulatedNode(fake_kube):
        with pytest.raises(RuntimeError, match="has a node already"):
            await SimulatedNode(fake_kube).__aenter__()
