"""One contract for the scheduler's build pods, on Kubernetes (the fake API) and on the local
executor of ``aftomato up``: creating is idempotent, cancelling stops a pod once, and withdrawing
stops a pod that has not ended but leaves one that has (its build ran; the watcher keeps its
log, then deletes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio.client import CoreV1Api

from aftomato.cli.embedded.executor import LocalExecutor
from aftomato.common.blobs.local import LocalBlobStore
from aftomato.common.scripts.config import ProjectConfig
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.labels import pod_name
from aftomato.scheduler.manifests import build_pod
from aftomato.scheduler.pods import ENDED_PHASES, BuildPods
from tests.scheduler.samples import NAMESPACE, context, request
from tests.support.fake_kube import FakeKube, api_client
from tests.support.waiting import eventually_async

QUICK, SLOW = "t/quick", "t/slow"
SCRIPTS = {QUICK: "echo done", SLOW: "sleep 30"}


@dataclass
class Backend:
    pods: BuildPods
    end: Callable[[str], Awaitable[None]]
    """Let the pod of that name run its build to the end (``QUICK`` builds only)."""


def manifest(build_id: str, project: str = SLOW) -> dict[str, Any]:
    sent = request(build_id=build_id, project_key=project, branch="main")
    return build_pod(sent, ProjectConfig(), context(AFTOMATO_KILL_GRACE_SECONDS="1"))


@pytest.fixture(params=["kubernetes", "local executor"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "kubernetes":
        async with FakeKube() as fake, api_client(fake.url) as client:

            async def succeed(name: str) -> None:
                fake.set_phase(NAMESPACE, name, "Succeeded")

            yield Backend(KubePods(CoreV1Api(client), NAMESPACE), succeed)
        return
    scripts = tmp_path / "scripts"
    for key, body in SCRIPTS.items():
        (scripts / key).mkdir(parents=True)
        (scripts / key / "build.sh").write_text(f"set -eu\n{body}\n")
    executor = LocalExecutor(tmp_path / "work", lambda: scripts, LocalBlobStore(tmp_path / "a"))

    async def run_out(name: str) -> None:
        async def ended() -> bool:
            pods, _ = await executor.list()
            return any(
                p["metadata"]["name"] == name and p["status"].get("phase") in ENDED_PHASES
                for p in pods
            )

        await eventually_async(ended, within=30, what=f"pod {name} to end")

    try:
        yield Backend(executor, run_out)
    finally:
        await executor.close()


async def test_creating_twice_makes_one_pod(backend: Backend) -> None:
    assert await backend.pods.create(manifest("c1")) is True
    assert await backend.pods.create(manifest("c1")) is False
    assert await backend.pods.existing() == {pod_name("c1")}


async def test_cancelling_stops_a_pod_once(backend: Backend) -> None:
    await backend.pods.create(manifest("c2"))
    assert await backend.pods.cancel(pod_name("c2"), "superseded", 1) is True
    assert await backend.pods.existing() == set()
    assert await backend.pods.cancel(pod_name("c2"), "superseded", 1) is False


async def test_withdrawing_stops_a_pod_that_has_not_ended(backend: Backend) -> None:
    await backend.pods.create(manifest("c3"))
    assert await backend.pods.withdraw(pod_name("c3"), "the build ended meanwhile") is True
    assert await backend.pods.existing() == set()
    assert await backend.pods.withdraw(pod_name("c3"), "the build ended meanwhile") is False


async def test_withdrawing_leaves_a_pod_that_ended_to_the_watcher(backend: Backend) -> None:
    await backend.pods.create(manifest("c4", QUICK))
    await backend.end(pod_name("c4"))
    assert await backend.pods.withdraw(pod_name("c4"), "the build ended meanwhile") is False
    assert await backend.pods.existing() == {pod_name("c4")}
