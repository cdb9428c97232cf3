"""docker-compose.yml parses; its services read only real settings and wait on healthy parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from aftomato.cli.main import COMMANDS
from tests.deploy.variables import STANDARD_AWS_VARIABLES, settings_variables

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"
SERVICES = ("ingest", "scheduler", "watcher", "api")
IMAGE = "aftomato/aftomato:local"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE.read_text())
    found: dict[str, Any] = compose["services"]
    return found


def ours(services: dict[str, Any]) -> dict[str, Any]:
    return {name: spec for name, spec in services.items() if spec.get("image") == IMAGE}


def test_the_stack_has_the_dependencies_the_bootstrap_and_the_four_services(
    services: dict[str, Any],
) -> None:
    assert {"rabbitmq", "etcd", "moto", "bootstrap", *SERVICES} <= set(services)
    for name in SERVICES:
        assert services[name]["command"] == [name]
        assert name in COMMANDS
    assert set(ours(services)) == {"bootstrap", *SERVICES}


def test_every_environment_name_is_read_by_a_settings_group(services: dict[str, Any]) -> None:
    known = settings_variables() | STANDARD_AWS_VARIABLES
    for name, spec in ours(services).items():
        unknown = set(spec["environment"]) - known
        assert not unknown, f"{name} sets variables no settings group reads: {unknown}"


def test_every_dependency_has_a_health_check_and_is_awaited_healthy(
    services: dict[str, Any],
) -> None:
    for name, spec in services.items():
        for dependency, condition in spec.get("depends_on", {}).items():
            if dependency == "bootstrap":
                assert condition == {"condition": "service_completed_successfully"}
                continue
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            assert services[dependency]["healthcheck"]["test"][0] == "CMD", dependency
    for name in ("rabbitmq", "etcd", "moto", *SERVICES):
        assert services[name]["healthcheck"]["test"], name


def test_health_checks_ask_the_port_each_service_listens_on(services: dict[str, Any]) -> None:
    for name in SERVICES:
        port = 8080 if name in ("ingest", "api") else 9090
        assert f"http://127.0.0.1:{port}/healthz" in services[name]["healthcheck"]["test"][-1]


def test_the_section_11_variables_point_at_the_services_of_this_file(
    services: dict[str, Any],
) -> None:
    environment = services["watcher"]["environment"]
    assert urlsplit(environment["AFTOMATO_AMQP_URL"]).hostname == "rabbitmq"
    assert environment["AFTOMATO_ETCD_ENDPOINTS"].split(":")[0] == "etcd"
    assert urlsplit(environment["AFTOMATO_AWS_ENDPOINT_URL"]).hostname == "moto"
    for variable in (
        "AFTOMATO_DYNAMODB_TABLE",
        "AFTOMATO_LOGS_BUCKET",
        "AFTOMATO_ARTIFACTS_BUCKET",
        "AFTOMATO_BUILD_SCRIPTS_REPO",
        "AFTOMATO_BUILD_SCRIPTS_BRANCH",
        "AFTOMATO_BUILD_NAMESPACE",
        "KUBECONFIG",
        "AFTOMATO_LOG_FORMAT",
    ):
        assert variable in environment
    assert "AFTOMATO_WEBHOOK_SECRET" in services["ingest"]["environment"]
    assert "AFTOMATO_API_TOKENS" in services["api"]["environment"]


def test_the_bootstrap_creates_the_names_the_services_use(services: dict[str, Any]) -> None:
    bootstrap = services["bootstrap"]
    assert bootstrap["command"][:2] == ["aws", "bootstrap"]
    endpoint = bootstrap["command"][bootstrap["command"].index("--endpoint-url") + 1]
    assert endpoint == services["watcher"]["environment"]["AFTOMATO_AWS_ENDPOINT_URL"]
    for variable in (
        "AFTOMATO_DYNAMODB_TABLE",
        "AFTOMATO_LOGS_BUCKET",
        "AFTOMATO_ARTIFACTS_BUCKET",
    ):
        assert bootstrap["environment"][variable] == services["api"]["environment"][variable]
    assert bootstrap["restart"] == "no"


def test_services_that_need_kubernetes_wait_for_a_cluster_profile(
    services: dict[str, Any],
) -> None:
    for name in ("scheduler", "watcher", "api"):
        assert services[name]["profiles"] == ["cluster"]
        assert services[name]["environment"]["KUBECONFIG"] == "/kube/config"
        assert any(volume.endswith(":/kube/config:ro") for volume in services[name]["volumes"])
    assert "profiles" not in services["ingest"]
