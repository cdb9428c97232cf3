"""Playing kubelet on the fake: container states, phases and the waits built on them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio.client import CoreV1Api

from tests.support.fake_kube import FakeKube, as_pod, core_v1
from tests.support.fake_kube.samples import pod

NS = "aftomato-builds"


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        manifest = pod("b", containers=("build",), init_containers=("clone",))
        await api.create_namespaced_pod(NS, as_pod(manifest))
        yield api


async def test_an_init_container_running_keeps_the_pod_pending(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    fake_kube.start_container(NS, "b", "clone")

    read = await v1.read_namespaced_pod("b", NS)

    assert read.status.phase == "Pending"
    assert read.status.init_container_statuses[0].state.running.started_at is not None


async def test_the_build_container_running_makes_the_pod_running(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    fake_kube.finish_container(NS, "b", "clone")
    fake_kube.start_container(NS, "b", "build")

    read = await v1.read_namespaced_pod("b", NS)

    assert read.status.phase == "Running"
    assert read.status.init_container_statuses[0].state.terminated.reason == "Completed"
    assert read.status.container_statuses[0].ready is True


@pytest.mark.parametrize(
    ("exit_code", "phase", "reason"), [(0, "Succeeded", "Completed"), (2, "Failed", "Error")]
)
async def test_the_build_container_exit_decides_the_phase(
    fake_kube: FakeKube, v1: CoreV1Api, exit_code: int, phase: str, reason: str
) -> None:
    fake_kube.start_container(NS, "b", "build")
    fake_kube.finish_container(NS, "b", "build", exit_code=exit_code)

    read = await v1.read_namespaced_pod("b", NS)

    terminated = read.status.container_statuses[0].state.terminated
    assert (read.status.phase, terminated.exit_code, terminated.reason) == (
        phase,
        exit_code,
        reason,
    )


async def test_set_phase_sets_reason_and_message(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.set_phase(NS, "b", "Failed", reason="DeadlineExceeded", message="too slow")
    fake_kube.set_phase(NS, "b", "Failed", reason="Evicted")

    read = await v1.read_namespaced_pod("b", NS)

    assert (read.status.phase, read.status.reason) == ("Failed", "Evicted")
    assert read.status.message is None


async def test_a_status_update_bumps_the_resource_version(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    before = fake_kube.resource_version

    fake_kube.update_status(NS, "b", {"phase": "Running"})
    fake_kube.update_status(NS, "b", {"phase": "Running"})  # no change, no new version

    assert fake_kube.resource_version == before + 1
    assert fake_kube.pod(NS, "b")["metadata"]["resourceVersion"] == str(before + 1)


def test_an_unknown_container_is_a_mistake_in_the_test(fake_kube: FakeKube) -> None:
    fake_kube.store.create(NS, pod("c"))

    with pytest.raises(ValueError, match="no container 'nope'"):
        fake_kube.start_container(NS, "c", "nope")
    with pytest.raises(ValueError, match="no container 'nope'"):
        fake_kube.append_log(NS, "c", "nope", "x")


async def test_wait_for_returns_when_the_predicate_holds(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    waiting = asyncio.create_task(
        fake_kube.wait_for(lambda: fake_kube.pod(NS, "b")["status"]["phase"] == "Running")
    )
    await asyncio.sleep(0.05)
    assert not waiting.done()

    fake_kube.start_container(NS, "b", "build")

    async with asyncio.timeout(1):
        await waiting
