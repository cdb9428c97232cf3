"""The fake's pod endpoints, through kubernetes-asyncio as the services will call them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiException, CoreV1Api

from tests.support.fake_kube import FakeKube, as_pod, core_v1, error_status
from tests.support.fake_kube.samples import pod

NS = "aftomato-builds"


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        yield api


async def names(v1: CoreV1Api, label_selector: str = "", field_selector: str = "") -> list[str]:
    listed = await v1.list_namespaced_pod(
        NS, label_selector=label_selector, field_selector=field_selector
    )
    return [item.metadata.name for item in listed.items]


async def test_create_sets_the_server_fields(v1: CoreV1Api) -> None:
    created = await v1.create_namespaced_pod(NS, as_pod(pod("build-1")))

    assert created.metadata.namespace == NS
    assert created.metadata.uid
    assert created.metadata.creation_timestamp is not None
    assert created.metadata.resource_version == "2"
    assert created.status.phase == "Pending"


async def test_get_returns_what_was_created(v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("build-1", {"app": "a"})))

    got = await v1.read_namespaced_pod("build-1", NS)

    assert got.metadata.labels == {"app": "a"}
    assert got.spec.containers[0].image == "busybox:1.36"


async def test_a_duplicate_create_is_409_already_exists(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("build-1")))

    with pytest.raises(ApiException) as caught:
        await v1.create_namespaced_pod(NS, as_pod(pod("build-1")))

    assert caught.value.status == 409
    assert error_status(caught.value)["reason"] == "AlreadyExists"
    assert fake_kube.counters.pods_created == 1
    assert fake_kube.counters.create_conflicts == 1


async def test_the_same_name_in_another_namespace_is_another_pod(v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("build-1")))
    await v1.create_namespaced_pod("other", as_pod(pod("build-1")))

    everywhere = await v1.list_pod_for_all_namespaces()

    assert [(p.metadata.namespace, p.metadata.name) for p in everywhere.items] == [
        (NS, "build-1"),
        ("other", "build-1"),
    ]


async def test_generate_name_gets_a_suffix(v1: CoreV1Api) -> None:
    manifest = pod("")
    manifest["metadata"] = {"generateName": "build-"}

    created = await v1.create_namespaced_pod(NS, as_pod(manifest))

    assert created.metadata.name.startswith("build-")
    assert len(created.metadata.name) == len("build-") + 5


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("read_namespaced_pod", ("missing", NS)),
        ("delete_namespaced_pod", ("missing", NS)),
        ("read_namespaced_pod_status", ("missing", NS)),
        ("patch_namespaced_pod", ("missing", NS, {"metadata": {"labels": {"a": "b"}}})),
    ],
)
async def test_a_missing_pod_is_404_not_found(v1: CoreV1Api, call: str, args: tuple[Any]) -> None:
    with pytest.raises(ApiException) as caught:
        await getattr(v1, call)(*args)

    assert caught.value.status == 404
    assert error_status(caught.value)["message"] == 'pods "missing" not found'


async def test_list_filters_by_label_selector(v1: CoreV1Api) -> None:
    for name, labels in [("a", {"app": "x", "tier": "1"}), ("b", {"app": "y"}), ("c", {})]:
        await v1.create_namespaced_pod(NS, as_pod(pod(name, labels)))

    assert await names(v1, label_selector="app=x") == ["a"]
    assert await names(v1, label_selector="app in (x,y),!tier") == ["b"]
    assert await names(v1, label_selector="app!=x") == ["b", "c"]
    assert await names(v1, label_selector="app") == ["a", "b"]


async def test_list_filters_by_field_selector(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))
    fake_kube.set_phase(NS, "b", "Running")

    assert await names(v1, field_selector="metadata.name=a") == ["a"]
    assert await names(v1, field_selector="status.phase=Running") == ["b"]
    assert await names(v1, field_selector="status.phase!=Running,metadata.name!=x") == ["a"]


async def test_a_bad_selector_is_400(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as label:
        await v1.list_namespaced_pod(NS, label_selector="app in x")
    with pytest.raises(ApiException) as field:
        await v1.list_namespaced_pod(NS, field_selector="spec.image=x")

    assert (label.value.status, field.value.status) == (400, 400)
    assert "field label not supported" in error_status(field.value)["message"]


async def test_the_list_carries_the_current_resource_version(v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))

    listed = await v1.list_namespaced_pod(NS)

    assert listed.metadata.resource_version == "3"


async def test_delete_returns_the_pod_and_forgets_it(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))

    deleted = await v1.delete_namespaced_pod("a", NS, grace_period_seconds=0)

    assert deleted.metadata.name == "a"
    assert await names(v1) == []
    assert fake_kube.counters.pods_deleted == 1


async def test_delete_collection_takes_the_selected_pods(v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a", {"app": "x"})))
    await v1.create_namespaced_pod(NS, as_pod(pod("b", {"app": "y"})))

    await v1.delete_collection_namespaced_pod(NS, label_selector="app=x")

    assert await names(v1) == ["b"]


async def test_a_pod_without_a_name_is_422(v1: CoreV1Api) -> None:
    manifest = pod("")
    del manifest["metadata"]["name"]

    with pytest.raises(ApiException) as caught:
        await v1.create_namespaced_pod(NS, as_pod(manifest))

    assert caught.value.status == 422
    assert error_status(caught.value)["details"]["causes"][0]["field"] == "metadata.name"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("metadata", {"name": "a", "namespace": "elsewhere"}, "does not match the namespace"),
        ("kind", "Deployment", "the fake serves v1 Pods"),
    ],
)
async def test_a_body_that_does_not_fit_the_url_is_400(
    v1: CoreV1Api, field: str, value: Any, words: str
) -> None:
    manifest = {**pod("a"), field: value}

    with pytest.raises(ApiException) as caught:
        await v1.create_namespaced_pod(NS, as_pod(manifest))

    assert caught.value.status == 400
    assert words in error_status(caught.value)["message"]
