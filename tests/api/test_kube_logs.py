"""Live logs from the fake Kubernetes API: followed to their end, or nothing when there is none."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from aftomato.api.kube_logs import KubeLiveLogs
from aftomato.common.records.model import BuildRecord
from aftomato.common.states import BuildState
from tests.api.rig import NAMESPACE
from tests.support.fake_kube import FakeKube, api_client, as_pod, core_v1

POD = "build-" + "c" * 32


def running(pod_name: str | None) -> BuildRecord:
    return BuildRecord(
        build_id="c" * 32,
        project_key="team/app",
        branch="main",
        state=BuildState.RUNNING,
        requested_at=datetime.now(UTC),
        pod_name=pod_name,
    )


async def make_pod(fake: FakeKube) -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": POD},
        "spec": {
            "restartPolicy": "Never",
            "initContainers": [{"name": "scripts", "image": "alpine/git"}],
            "containers": [{"name": "build", "image": "busybox"}],
        },
    }
    async with core_v1(fake.url) as core:
        await core.create_namespaced_pod(NAMESPACE, as_pod(manifest))


async def follow(fake: FakeKube, record: BuildRecord) -> bytes:
    async with api_client(fake.url) as client:
        live = KubeLiveLogs(client, NAMESPACE)
        async with asyncio.timeout(10):
            return b"".join([chunk async for chunk in live.follow(record)])


async def test_the_build_containers_log_is_followed_to_its_end(fake_kube: FakeKube) -> None:
    await make_pod(fake_kube)
    fake_kube.append_log(NAMESPACE, POD, "scripts", "cloning\n")
    fake_kube.append_log(NAMESPACE, POD, "build", "first\n")
    following = asyncio.create_task(follow(fake_kube, running(POD)))
    await asyncio.sleep(0.2)
    assert not following.done()
    fake_kube.append_log(NAMESPACE, POD, "build", "second\n")
    fake_kube.finish_log(NAMESPACE, POD, "build")
    assert await following == b"first\nsecond\n"


@pytest.mark.parametrize("situation", ["no pod name", "no pod", "container waiting"])
async def test_nothing_to_follow_ends_at_once(fake_kube: FakeKube, situation: str) -> None:
    if situation == "container waiting":
        await make_pod(fake_kube)
    record = running(None if situation == "no pod name" else POD)
    assert await follow(fake_kube, record) == b""
