"""Patches and updates of pods and their status, through kubernetes-asyncio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient, ApiException, CoreV1Api

from tests.support.fake_kube import FakeKube, api_client, as_pod, error_status
from tests.support.fake_kube.errors import not_found
from tests.support.fake_kube.samples import pod

NS = "aftomato-builds"


@pytest.fixture
async def client(fake_kube: FakeKube) -> AsyncIterator[ApiClient]:
    async with api_client(fake_kube.url) as api:
        yield api


@pytest.fixture
async def v1(client: ApiClient) -> CoreV1Api:
    api = CoreV1Api(client)
    await api.create_namespaced_pod(NS, as_pod(pod("build-1", {"app": "a"})))
    return api


def message(error: ApiException) -> str:
    return str(error_status(error)["message"])


async def test_a_merge_patch_sets_an_annotation(v1: CoreV1Api) -> None:
    patched = await v1.patch_namespaced_pod(
        "build-1", NS, {"metadata": {"annotations": {"aftomato.io/cancelled": "true"}}}
    )

    assert patched.metadata.annotations == {"aftomato.io/cancelled": "true"}
    assert patched.metadata.labels == {"app": "a"}
    assert patched.metadata.resource_version == "3"


async def test_a_patch_that_changes_nothing_keeps_the_resource_version(v1: CoreV1Api) -> None:
    patched = await v1.patch_namespaced_pod("build-1", NS, {"metadata": {"labels": {"app": "a"}}})

    assert patched.metadata.resource_version == "2"


async def test_a_patch_with_an_invalid_label_is_422(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.patch_namespaced_pod(
            "build-1", NS, {"metadata": {"labels": {"branch": "feature/x"}}}
        )

    assert caught.value.status == 422
    assert message(caught.value).startswith(
        'Pod "build-1" is invalid: metadata.labels: Invalid value: "feature/x"'
    )


async def test_a_patch_may_not_change_the_spec(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.patch_namespaced_pod("build-1", NS, {"spec": {"restartPolicy": "Always"}})

    assert caught.value.status == 422
    assert "spec: Forbidden: pod updates may not change fields" in message(caught.value)


async def test_a_patch_of_the_pod_ignores_status(v1: CoreV1Api) -> None:
    patched = await v1.patch_namespaced_pod("build-1", NS, {"status": {"phase": "Running"}})

    assert patched.status.phase == "Pending"


async def test_a_status_patch_changes_the_phase(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    patched = await v1.patch_namespaced_pod_status(
        "build-1", NS, {"status": {"phase": "Failed", "reason": "DeadlineExceeded"}}
    )

    assert (patched.status.phase, patched.status.reason) == ("Failed", "DeadlineExceeded")
    assert fake_kube.pod(NS, "build-1")["status"]["phase"] == "Failed"


async def test_a_status_patch_ignores_metadata(v1: CoreV1Api) -> None:
    patched = await v1.patch_namespaced_pod_status(
        "build-1", NS, {"metadata": {"labels": {"app": "b"}}, "status": {"phase": "Running"}}
    )

    assert patched.metadata.labels == {"app": "a"}


async def test_a_status_patch_with_a_wrong_type_is_422(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.patch_namespaced_pod_status("build-1", NS, {"status": {"phase": 3}})

    assert caught.value.status == 422
    assert message(caught.value).startswith('Pod "build-1" is invalid: status.phase:')


async def test_a_status_replace_needs_the_current_resource_version(v1: CoreV1Api) -> None:
    current = await v1.read_namespaced_pod("build-1", NS)
    current.status.phase = "Running"
    await v1.replace_namespaced_pod_status("build-1", NS, current)

    with pytest.raises(ApiException) as caught:
        await v1.replace_namespaced_pod_status("build-1", NS, current)  # stale now

    assert caught.value.status == 409
    assert "the object has been modified" in message(caught.value)


async def test_a_pod_replace_may_change_labels(v1: CoreV1Api) -> None:
    current = await v1.read_namespaced_pod("build-1", NS)
    current.metadata.labels["app"] = "b"

    replaced = await v1.replace_namespaced_pod("build-1", NS, current)

    assert replaced.metadata.labels == {"app": "b"}


async def test_a_pod_replace_needs_a_resource_version(v1: CoreV1Api) -> None:
    current = await v1.read_namespaced_pod("build-1", NS)
    current.metadata.resource_version = ""  # what a client sends for "none"

    with pytest.raises(ApiException) as caught:
        await v1.replace_namespaced_pod("build-1", NS, current)

    assert caught.value.status == 422
    assert "metadata.resourceVersion" in message(caught.value)


async def test_a_pod_replace_under_another_name_is_400(v1: CoreV1Api) -> None:
    current = await v1.read_namespaced_pod("build-1", NS)
    current.metadata.name = "build-2"

    with pytest.raises(ApiException) as caught:
        await v1.replace_namespaced_pod("build-1", NS, current)

    assert caught.value.status == 400


async def test_a_json_patch_is_415(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.patch_namespaced_pod(
            "build-1", NS, [{"op": "add", "path": "/metadata/labels/x", "value": "y"}]
        )

    assert caught.value.status == 415


async def test_a_planned_fault_answers_once(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    fake_kube.fail_next("GET", "/pods/build-1", status=503)

    with pytest.raises(ApiException) as caught:
        await v1.read_namespaced_pod("build-1", NS)
    again = await v1.read_namespaced_pod("build-1", NS)

    assert caught.value.status == 503
    assert again.metadata.name == "build-1"
    assert [(r.method, r.status) for r in fake_kube.requests[-2:]] == [("GET", 503), ("GET", 200)]


async def test_an_unknown_path_is_a_404_status(client: ApiClient) -> None:
    with pytest.raises(ApiException) as caught:
        await client.call_api("/api/v1/namespaces/x/configmaps", "GET")

    assert caught.value.status == 404
    assert error_status(caught.value)["kind"] == "Status"


def test_the_body_of_an_error_is_a_status_object() -> None:
    body: dict[str, Any] = not_found("x").status

    assert body["kind"] == "Status"
    assert body["apiVersion"] == "v1"
    assert (body["status"], body["reason"], body["code"]) == ("Failure", "NotFound", 404)
