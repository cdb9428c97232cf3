"""charts/aftomato renders, lints strictly, and every object passes the Kubernetes schema; the pods
run non-root with limits and probes; the Roles grant only what the code calls."""

from __future__ import annotations

import hashlib
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from aftomato.common import settings
from tests.deploy.chart import (
    CHART,
    KUBE_VERSION,
    Manifest,
    all_options,
    containers,
    lint,
    manifests,
    of_kind,
    render,
)
from tests.deploy.variables import (
    STANDARD_AWS_VARIABLES,
    secret_variables,
    settings_groups,
    settings_variables,
)

VALUES = {"default values": None, "every option set": all_options()}
SERVICES = ("ingest", "scheduler", "watcher", "api")


@pytest.fixture(scope="module", params=list(VALUES), ids=list(VALUES))
def values(request: pytest.FixtureRequest) -> dict[str, Any] | None:
    chosen: dict[str, Any] | None = VALUES[request.param]
    return chosen


@pytest.fixture(scope="module")
def objects(values: dict[str, Any] | None) -> list[Manifest]:
    return manifests(values)


def test_the_chart_lints_strictly(values: dict[str, Any] | None) -> None:
    report = lint(values)
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # warnings and errors
    assert problems == []


def test_every_rendered_object_passes_the_strict_kubernetes_schema(
    objects: list[Manifest],
) -> None:
    version = KUBE_VERSION.removeprefix("v")
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_each_service_has_a_deployment_service_account_and_budget(objects: list[Manifest]) -> None:
    names = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
    for service in SERVICES:
        assert ("Deployment", f"ci-aftomato-{service}") in names
        assert ("ServiceAccount", f"ci-aftomato-{service}") in names
    assert {("Service", "ci-aftomato-ingest"), ("Service", "ci-aftomato-api")} <= names
    assert not of_kind(objects, "Secret"), "the chart never makes secrets"


def test_no_role_grants_wildcards_and_each_grants_what_its_code_calls(
    objects: list[Manifest],
) -> None:
    roles = of_kind(objects, "Role") + of_kind(objects, "ClusterRole")
    assert not of_kind(objects, "ClusterRole")
    granted: dict[str, set[tuple[str, str]]] = {}
    for role in roles:
        for rule in role["rules"]:
            assert "*" not in rule["verbs"]
            assert "*" not in rule["resources"]
            assert rule["apiGroups"] == [""]  # the core group only, never "*"
            service = role["metadata"]["name"].removeprefix("ci-aftomato-")
            granted.setdefault(service, set()).update(
                (resource, verb) for resource in rule["resources"] for verb in rule["verbs"]
            )
    pods = {("pods", verb) for verb in ("create", "get", "list", "patch", "delete")}
    assert granted == {
        # kube_pods.py: create, patch + delete (cancel), get (withdraw), list (existing)
        "scheduler": pods,
        "watcher": {("pods", v) for v in ("get", "list", "watch", "delete")}
        | {("pods/log", "get")},
        "api": {("pods/log", "get")},
    }
    namespaces = {role["metadata"]["namespace"] for role in roles}
    assert namespaces == {of_kind(objects, "ConfigMap")[0]["data"]["AFTOMATO_BUILD_NAMESPACE"]}


def test_every_container_runs_as_non_root_with_limits_and_a_read_only_root(
    objects: list[Manifest],
) -> None:
    seen = 0
    for name, pod, container in containers(objects):
        seen += 1
        context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
        assert context.get("runAsNonRoot") is True, name
        assert context.get("runAsUser", 1) != 0, name
        assert context.get("allowPrivilegeEscalation") is False, name
        assert context.get("readOnlyRootFilesystem") is True, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        limits = container["resources"]["limits"]
        assert {"cpu", "memory"} <= set(limits), name
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
    assert seen == len(SERVICES)


def test_probes_use_healthz_and_readyz_on_the_port_the_service_listens_on(
    objects: list[Manifest],
) -> None:
    data = of_kind(objects, "ConfigMap")[0]["data"]
    ports = {"http": int(data["AFTOMATO_HTTP_PORT"]), "health": int(data["AFTOMATO_HEALTH_PORT"])}
    for name, _, container in containers(objects):
        declared = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        port = container["readinessProbe"]["httpGet"]["port"]
        assert declared[port] == ports[port], name
        expected = "http" if name.endswith(("ingest", "api")) else "health"
        assert port == expected, name


def test_each_container_runs_its_service_and_writes_only_to_empty_dirs(
    objects: list[Manifest],
) -> None:
    for name, pod, container in containers(objects):
        service = name.removeprefix("ci-aftomato-")
        assert container["args"] == [service]
        mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert all("emptyDir" in volumes[volume] for volume in mounts)
        assert mounts["tmp"] == "/tmp"
        env = {e["name"]: e.get("value") for e in container["env"]}
        if service in ("scheduler", "api"):  # they clone the build scripts
            cache = env["AFTOMATO_BUILD_SCRIPTS_CACHE"]
            assert cache.startswith(mounts["build-scripts"] + "/")
        else:
            assert "AFTOMATO_BUILD_SCRIPTS_CACHE" not in env
        assert pod["automountServiceAccountToken"] is (service != "ingest")


def test_pods_carry_the_checksum_of_the_config_map(values: dict[str, Any] | None) -> None:
    rendered = render(values)
    config_map = next(text for path, text in rendered.items() if path.endswith("configmap.yaml"))
    digest = hashlib.sha256(config_map.encode()).hexdigest()
    for deployment in of_kind(manifests(values), "Deployment"):
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["checksum/config"] == digest


def test_every_variable_the_chart_sets_is_read_by_some_service(objects: list[Manifest]) -> None:
    known = settings_variables() | STANDARD_AWS_VARIABLES
    names = set(of_kind(objects, "ConfigMap")[0]["data"])
    for _, _, container in containers(objects):
        names |= {variable["name"] for variable in container.get("env", [])}
    assert names - known == set()


def test_secrets_are_only_referenced(objects: list[Manifest]) -> None:
    referenced = {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]
        for _, _, container in containers(objects)
        for variable in container["env"]
        if "valueFrom" in variable
    }
    assert {"AFTOMATO_AMQP_URL", "AFTOMATO_WEBHOOK_SECRET", "AFTOMATO_API_TOKENS"} <= set(
        referenced
    )
    data = of_kind(objects, "ConfigMap")[0]["data"]
    secret = secret_variables() | STANDARD_AWS_VARIABLES
    assert {"AFTOMATO_AMQP_URL", "AFTOMATO_API_TOKENS", "AFTOMATO_GITEA_TOKEN"} <= secret
    assert set(data) & secret == set()
    assert set(referenced) <= secret


def test_every_option_of_values_yaml_is_set_in_the_all_options_file() -> None:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    every = all_options()

    def leaves(tree: Any, path: str = "") -> set[str]:
        if isinstance(tree, dict) and tree:
            return {leaf for key, value in tree.items() for leaf in leaves(value, f"{path}.{key}")}
        return {path}

    set_here = leaves(every)
    unset = [
        option
        for option in leaves(defaults)
        if not any(path == option or path.startswith(f"{option}.") for path in set_here)
    ]
    assert unset == []


def test_ingresses_route_webhooks_and_the_ui_with_tls() -> None:
    ingresses = {i["metadata"]["name"]: i for i in of_kind(manifests(all_options()), "Ingress")}
    hooks = ingresses["ci-aftomato-ingest"]["spec"]
    assert hooks["rules"][0]["http"]["paths"][0]["path"] == "/hooks"
    assert hooks["tls"] == [{"hosts": ["hooks.ci.example.com"], "secretName": "hooks-tls"}]
    assert ingresses["ci-aftomato-api"]["spec"]["rules"][0]["host"] == "ci.example.com"
    assert not of_kind(manifests(), "Ingress")


def test_notes_give_the_webhook_url() -> None:
    notes = render(all_options())["aftomato/templates/NOTES.txt"]
    assert "https://hooks.ci.example.com/hooks/<provider>" in notes
    assert "WARNING" not in notes
    assert "config.AFTOMATO_BUILD_SCRIPTS_REPO is empty" in render()["aftomato/templates/NOTES.txt"]


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"config": {"AFTOMATO_AMQP_URL": "amqp://u:p@h/"}}, "AFTOMATO_AMQP_URL"),
        ({"config": {"AFTOMATO_GITHUB_WEBHOOK_SECRET": "s"}}, "AFTOMATO_GITHUB_WEBHOOK_SECRET"),
        ({"config": {"AFTOMATO_GITEA_TOKEN": "t"}}, "AFTOMATO_GITEA_TOKEN"),
        ({"scheduler": {"replica": 2}}, "replica"),
        ({"watcher": {"ingress": {"enabled": True, "host": "x"}}}, "watcher"),
        ({"podSecurityContext": {"runAsNonRoot": False}}, "runAsNonRoot"),
    ],
)
def test_the_schema_refuses_secrets_in_the_config_map_and_unknown_options(
    values: dict[str, Any], named: str
) -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError, match=named):
        chart.validate_schema(values)


def test_scm_tokens_reach_the_watcher_alone_and_only_from_a_named_secret() -> None:
    def token_variables(values: dict[str, Any] | None) -> dict[str, set[str]]:
        return {
            name: {e["name"] for e in container["env"] if e["name"].endswith("_TOKEN")}
            for name, _, container in containers(manifests(values))
        }

    assert set().union(*token_variables(None).values()) == set()
    every = token_variables(all_options())
    assert every.pop("ci-aftomato-watcher") == {
        f"AFTOMATO_{scm}_TOKEN"
        for scm in ("GITHUB", "GITLAB", "BITBUCKET_SERVER", "BITBUCKET_CLOUD", "GITEA")
    }
    assert set().union(*every.values()) == set()


SECRET_SAMPLES = {
    "AFTOMATO_AMQP_URL": "amqp://u:p@rabbitmq/",
    "AFTOMATO_API_TOKENS": "ci:admin:a-long-enough-token",
}
"""A value of the right shape for each secret the chart references (the rest take any text)."""


def test_every_value_of_the_config_map_is_one_its_settings_group_accepts() -> None:
    """The ConfigMap's text reads back as the values file meant it (no 1.048576e+06)."""
    options = {name: str(value) for name, value in all_options()["config"].items()}
    data = of_kind(manifests(all_options()), "ConfigMap")[0]["data"]
    secrets = {variable: SECRET_SAMPLES.get(variable, "s3cret") for variable in secret_variables()}
    for group in settings_groups():
        loaded = settings.load(group, {**data, **secrets})  # SettingsError names a bad value
        assert loaded == settings.load(group, {**data, **options, **secrets}), group.title
