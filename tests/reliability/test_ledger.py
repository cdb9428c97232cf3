"""The checks of the fault tests can fail: the ledger sees a pod made twice for one build, two
live pods on one branch, and when a build's pod ended, on the fake API alone."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio.client import CoreV1Api

from tests.e2e.cluster import NAMESPACE
from tests.reliability.ledger import BUILD_ID_LABEL, PodLedger
from tests.support.fake_kube import FakeKube, api_client, as_pod


def build_pod(build_id: str, branch: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"build-{build_id}",
            "labels": {BUILD_ID_LABEL: build_id},
            "annotations": {"aftomato.io/project-key": "team/app", "aftomato.io/branch": branch},
        },
        "spec": {"restartPolicy": "Never", "containers": [{"name": "build", "image": "b:1"}]},
    }


async def test_the_ledger_sees_pods_made_twice_and_branches_run_twice(fake_kube: FakeKube) -> None:
    ledger = PodLedger(fake_kube)
    async with api_client(fake_kube.url) as client:
        pods = CoreV1Api(client)
        await pods.create_namespaced_pod(NAMESPACE, as_pod(build_pod("b1", "main")))
        await pods.create_namespaced_pod(NAMESPACE, as_pod(build_pod("b2", "main")))
        await pods.create_namespaced_pod(NAMESPACE, as_pod(build_pod("b3", "other")))
        assert ledger.overlapping() == {("team/app", "main"): 2}
        fake_kube.start_container(NAMESPACE, "build-b3", "build")
        fake_kube.finish_container(NAMESPACE, "build-b3", "build")
        assert set(ledger.ended_at) == {"b3"}
        await pods.delete_namespaced_pod("build-b1", NAMESPACE)
        assert set(ledger.ended_at) == {"b1", "b3"}
        await pods.create_namespaced_pod(NAMESPACE, as_pod(build_pod("b1", "main")))

    assert ledger.duplicated() == {"b1": 2}
