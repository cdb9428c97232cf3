"""Every build pod the scheduler can produce is one the API server accepts, and safe."""

from collections.abc import Iterator
from typing import Any

import pytest

from aftomato.common.scripts.config import ProjectConfig, parse_project_config
from aftomato.scheduler.manifests import (
    BUILD_COMMAND,
    MANAGED_BY_SELECTOR,
    build_pod,
    pod_name,
)
from aftomato.scheduler.pod_settings import PodSettings
from tests.scheduler.samples import NAMESPACE, context, every_config, request
from tests.support.fake_kube.validation import SchemaCheck, known_versions

VERSIONS = ["1.29", known_versions()[-1]]
CONFIGS = every_config()
PODS = [
    ("default request", request(), context()),
    ("pull request, commit", request(pull_request=12, commit="a" * 40), context()),
    ("longest ids",
     request(build_id="b" * 63, branch="x/" * 120 + "é", project_key="p/" * 100 + "q"),
     context(AFTOMATO_BUILD_CPU_LIMIT="2", AFTOMATO_BUILD_SERVICE_ACCOUNT="builder")),
    ("parameters", request(parameters={"DEPLOY": "yes", "NODE_ENV": "prod"}), context()),
]  # fmt: skip


def cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for label, config in CONFIGS:
        for kind, req, pod_context in PODS:
            yield f"{label} / {kind}", build_pod(req, config, pod_context)


MANIFESTS = list(cases())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("case", "pod"), MANIFESTS, ids=[case for case, _ in MANIFESTS])
def test_every_manifest_passes_the_strict_schema(
    case: str, pod: dict[str, Any], version: str
) -> None:
    assert SchemaCheck(version).problems(pod) == []


@pytest.mark.parametrize(("case", "pod"), MANIFESTS, ids=[case for case, _ in MANIFESTS])
def test_every_manifest_keeps_the_rules_the_schema_cannot_say(
    case: str, pod: dict[str, Any]
) -> None:
    spec = pod["spec"]
    containers = spec["initContainers"] + spec["containers"]
    volumes = {volume["name"] for volume in spec["volumes"]}
    assert len(pod["metadata"]["name"]) <= 63
    assert len({c["name"] for c in containers}) == len(containers)
    for container in containers:
        names = [variable["name"] for variable in container.get("env", [])]
        assert len(set(names)) == len(names), container["name"]
        assert {m["name"] for m in container.get("volumeMounts", [])} <= volumes
    resources = spec["containers"][0]["resources"]
    assert set(resources.get("limits", {})) <= set(resources["requests"]) | {"cpu", "memory"}


def test_the_default_pod() -> None:
    pod = build_pod(request(), ProjectConfig(), context())
    spec = pod["spec"]

    assert pod["metadata"]["name"] == "build-0f3c9a"
    assert pod["metadata"]["namespace"] == NAMESPACE
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "aftomato",
        "aftomato.io/build-id": "0f3c9a",
        "aftomato.io/project": "group-sub-app",
        "aftomato.io/branch": "feature-Login",
    }
    assert MANAGED_BY_SELECTOR == "app.kubernetes.io/managed-by=aftomato"
    assert pod["metadata"]["annotations"] == {
        "aftomato.io/project-key": "group/sub/app",
        "aftomato.io/branch": "feature/Login",
        "aftomato.io/event-id": "event-1",
        "aftomato.io/source": "gitlab",
    }
    assert spec["restartPolicy"] == "Never"
    assert spec["activeDeadlineSeconds"] == 3600
    assert spec["terminationGracePeriodSeconds"] == 15
    assert spec["enableServiceLinks"] is False
    assert spec["automountServiceAccountToken"] is False
    assert "serviceAccountName" not in spec
    assert "nodeSelector" not in spec
    assert "tolerations" not in spec
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert [v["name"] for v in spec["volumes"]] == ["scripts", "workspace", "artifacts"]
    assert all(v["emptyDir"] == {} for v in spec["volumes"])


def test_the_scripts_init_container_clones_with_arguments_only() -> None:
    custom = context(AFTOMATO_BUILD_IMAGE="registry.example.com/build-base:1")
    [scripts] = build_pod(request(), ProjectConfig(), custom)["spec"]["initContainers"]

    assert scripts["name"] == "scripts"
    assert scripts["image"] == "registry.example.com/build-base:1"
    assert scripts["command"] == [
        "git", "clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags",
        "--branch", "main", "--", "https://git.example.com/ci/build-scripts.git", "/scripts",
    ]  # fmt: skip
    assert "args" not in scripts
    assert scripts["volumeMounts"] == [{"name": "scripts", "mountPath": "/scripts"}]
    assert "restartPolicy" not in scripts  # a plain init container: it runs to its end first


def test_the_build_container() -> None:
    pod = build_pod(request(), ProjectConfig(), context())
    [build] = pod["spec"]["containers"]

    assert build["name"] == "build"
    assert build["image"] == "aftomato/build-base:latest"
    assert build["command"] == list(BUILD_COMMAND)
    assert build["volumeMounts"] == [
        {"name": "scripts", "mountPath": "/scripts", "readOnly": True},
        {"name": "workspace", "mountPath": "/workspace"},
        {"name": "artifacts", "mountPath": "/artifacts"},
    ]
    assert build["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"memory": "2Gi"},
    }
    assert build["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert "envFrom" not in build


def test_every_field_of_the_project_config_reaches_the_pod() -> None:
    config = dict(CONFIGS)["every field"]
    pod = build_pod(request(), config, context())
    spec = pod["spec"]
    [build] = spec["containers"]

    assert build["image"] == "registry.example.com/ci/node:20"
    assert spec["activeDeadlineSeconds"] == 5400
    assert build["resources"] == {
        "requests": {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "10Gi"},
        "limits": {"cpu": "4", "memory": "4Gi", "ephemeral-storage": "20Gi"},
    }
    assert {"name": "NODE_ENV", "value": "test"} in build["env"]
    assert {"name": "PORT", "value": "8080"} in build["env"]
    assert build["envFrom"] == [
        {"secretRef": {"name": "npm-token"}},
        {"secretRef": {"name": "registry.credentials"}},
    ]
    assert spec["nodeSelector"] == {"disktype": "ssd", "kubernetes.io/arch": "amd64"}
    assert spec["tolerations"][1] == {
        "key": "spot",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 60,
    }
    assert spec["serviceAccountName"] == "ci-builder"
    assert spec["automountServiceAccountToken"] is True
    assert [c["name"] for c in spec["initContainers"]] == ["scripts", "postgres", "docs"]
    assert all(c["restartPolicy"] == "Always" for c in spec["initContainers"][1:])
    assert spec["initContainers"][1]["securityContext"] == {
        "runAsUser": 999,
        "allowPrivilegeEscalation": False,
    }


def test_a_default_service_account_gets_no_token() -> None:
    custom = context(AFTOMATO_BUILD_SERVICE_ACCOUNT="builds")
    spec = build_pod(request(), ProjectConfig(), custom)["spec"]

    assert spec["serviceAccountName"] == "builds"
    assert spec["automountServiceAccountToken"] is False


def test_the_pod_does_not_share_the_configs_objects() -> None:
    config = dict(CONFIGS)["every field"]
    first = build_pod(request(), config, context())
    first["spec"]["initContainers"][1]["env"].append({"name": "X", "value": "y"})
    first["spec"]["nodeSelector"]["extra"] = "1"
    first["spec"]["initContainers"][0]["resources"]["limits"]["memory"] = "1Ti"
    first["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "64"

    assert build_pod(request(), config, context()) != first


@pytest.mark.parametrize(
    ("build_id", "name"),
    [("0f3c", "build-0f3c"), ("a" * 57, "build-" + "a" * 57)],
)
def test_pod_names(build_id: str, name: str) -> None:
    assert pod_name(build_id) == name


def test_long_build_ids_keep_their_start_and_a_hash() -> None:
    first, second = pod_name("a" * 62 + "b"), pod_name("a" * 62 + "c")

    assert len(first) == 63
    assert first.startswith("build-aaaa")
    assert first != second
    assert pod_name("a" * 47 + "-" + "b" * 15)[-9] == "-"  # no '--' before the hash
    assert "--" not in pod_name("a" * 47 + "-" + "b" * 15)


def test_the_timeout_comes_from_the_project_or_the_context() -> None:
    pod = PodSettings.model_validate({"AFTOMATO_BUILD_TIMEOUT_SECONDS": "600"})

    assert pod.timeout_for(ProjectConfig()) == 600
    assert pod.timeout_for(parse_project_config("timeout: 2h")) == 7200
