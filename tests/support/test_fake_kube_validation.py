"""Every object the fake receives is checked: kubernetes-validate's strict schema, then the
API server's own pod rules. Invalid objects are refused with 422 and a Status naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import kubernetes_validate
import pytest
from kubernetes_asyncio.client import ApiException, CoreV1Api

from tests.support.fake_kube import (
    FakeKube,
    as_pod,
    core_v1,
    error_status,
    known_versions,
    latest_version,
)
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.samples import pod
from tests.support.fake_kube.validation import SchemaCheck

NS = "aftomato-builds"


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        yield api


def with_container(**fields: Any) -> Obj:
    manifest = pod("build-1")
    manifest["spec"]["containers"][0] = fields
    return manifest


def sidecar_pod() -> Obj:
    manifest = pod("build-1", init_containers=("proxy",))
    manifest["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    return manifest


async def refusal(v1: CoreV1Api, manifest: Obj) -> dict[str, Any]:
    """The Status body of the 422 that creating ``manifest`` must get."""
    with pytest.raises(ApiException) as caught:
        await v1.create_namespaced_pod(NS, as_pod(manifest))
    assert caught.value.status == 422
    body = error_status(caught.value)
    assert (body["kind"], body["status"], body["reason"], body["code"]) == (
        "Status",
        "Failure",
        "Invalid",
        422,
    )
    return body


async def test_an_unknown_field_is_refused(v1: CoreV1Api, fake_kube: FakeKube) -> None:
    # A dict body: the client's own models would drop the misspelt field before sending.
    body = await refusal(v1, with_container(name="main", imagee="busybox"))

    assert body["message"] == (
        'Pod "build-1" is invalid: spec.containers[0].imagee: Forbidden: unknown field "imagee"'
    )
    assert body["details"]["causes"][0]["field"] == "spec.containers[0].imagee"
    assert fake_kube.pods() == []
    assert fake_kube.counters.invalid_objects == 1


async def test_a_container_without_a_name_is_refused(v1: CoreV1Api) -> None:
    body = await refusal(v1, with_container(image="busybox"))

    assert body["message"] == 'Pod "build-1" is invalid: spec.containers[0].name: Required value'


async def test_a_wrong_type_is_refused(v1: CoreV1Api) -> None:
    manifest = pod("build-1")
    manifest["spec"]["activeDeadlineSeconds"] = "3600"

    body = await refusal(v1, manifest)

    assert body["details"]["causes"][0]["field"] == "spec.activeDeadlineSeconds"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["metadata"].update(name="Build_1"), "metadata.name"),
        (lambda p: p["metadata"]["labels"].update(branch="feature/x"), "metadata.labels"),
        (
            lambda p: p["spec"]["containers"].append({"name": "main", "image": "x"}),
            "spec.containers[1].name",
        ),
        (lambda p: p["spec"]["containers"][0].pop("image"), "spec.containers[0].image"),
        (
            lambda p: p["spec"]["containers"][0].update(restartPolicy="Always"),
            "spec.containers[0].restartPolicy",
        ),
        (lambda p: p["spec"].update(activeDeadlineSeconds=0), "spec.activeDeadlineSeconds"),
        (
            lambda p: p["spec"]["containers"][0].update(
                volumeMounts=[{"name": "ws", "mountPath": "/w"}]
            ),
            "spec.containers[0].volumeMounts[0].name",
        ),
    ],
)
async def test_the_servers_own_pod_rules_apply(v1: CoreV1Api, change: Any, field: str) -> None:
    manifest = pod("build-1", {"app": "a"})
    change(manifest)

    body = await refusal(v1, manifest)

    assert [cause["field"] for cause in body["details"]["causes"]] == [field]


async def test_a_native_sidecar_is_valid_from_1_29(v1: CoreV1Api) -> None:
    created = await v1.create_namespaced_pod(NS, as_pod(sidecar_pod()))

    assert created.spec.init_containers[0].restart_policy == "Always"


async def test_an_older_kubernetes_refuses_a_native_sidecar() -> None:
    async with FakeKube(kube_version="1.27.0") as fake, core_v1(fake.url) as old:
        body = await refusal(old, sidecar_pod())

    assert body["details"]["causes"][0]["field"] == "spec.initContainers[0].restartPolicy"


async def test_kubernetes_1_29_is_served() -> None:
    async with FakeKube(kube_version="1.29.0") as fake, core_v1(fake.url) as v129:
        created = await v129.create_namespaced_pod(NS, as_pod(sidecar_pod()))

    assert fake.schema.schema_version == "1.29.0"
    assert created.metadata.name == "build-1"


def test_the_default_version_is_the_newest_known() -> None:
    assert FakeKube().schema.kube_version == latest_version() == known_versions()[-1]
    assert "1.29.0" in known_versions()


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no schemas for Kubernetes 9\.99\.0"):
        SchemaCheck("9.99.0")


SAMPLES = [
    pod("ok"),
    sidecar_pod(),
    with_container(name="main", imagee="busybox"),
    with_container(image="busybox"),
    {
        **pod("x"),
        "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": "80"}]}]},
    },
    {**pod("x"), "status": {"phase": 3}},
    {**pod("x"), "metadata": {"name": "x", "labels": {"a": 1}}},
]


@pytest.mark.parametrize("version", ["1.27.0", "1.29.0", latest_version()])
@pytest.mark.parametrize("manifest", SAMPLES)
def test_verdicts_agree_with_kubernetes_validate(version: str, manifest: Obj) -> None:
    try:
        kubernetes_validate.validate(manifest, version, strict=True)
        expected = True
    except kubernetes_validate.ValidationError:
        expected = False

    assert (SchemaCheck(version).problems(manifest) == []) is expected
