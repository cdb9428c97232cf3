"""Requests, project configs and pod settings for the manifest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aftomato.common.messages import BuildRequested, Source
from aftomato.common.scripts.config import ProjectConfig, parse_project_config
from aftomato.common.settings import AwsSettings, ScriptsSettings
from aftomato.scheduler.pod_settings import PodContext, PodSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "build-scripts"
NAMESPACE = "aftomato-builds"

EVERY_FIELD = """
image: registry.example.com/ci/node:20
timeout: 1h30m
branches: main|release/.*
tags: true
pull_requests: false
concurrency: supersede
resources:
  requests: {cpu: 2, memory: 1Gi, ephemeral-storage: 10Gi}
  limits: {cpu: "4", memory: 4Gi, ephemeral-storage: 20Gi}
env: {NODE_ENV: test, PORT: 8080}
secrets: [npm-token, registry.credentials]
node_selector: {disktype: ssd, kubernetes.io/arch: amd64}
tolerations:
  - {key: dedicated, operator: Equal, value: ci, effect: NoSchedule}
  - {key: spot, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
  - {operator: Exists}
service_account: ci-builder
sidecars:
  - name: postgres
    image: postgres:16
    env: [{name: POSTGRES_PASSWORD, value: test}]
    ports: [{containerPort: 5432, protocol: TCP}]
    startupProbe: {tcpSocket: {port: 5432}, periodSeconds: 1, failureThreshold: 60}
    securityContext: {runAsUser: 999, allowPrivilegeEscalation: false}
  - name: docs
    image: nginx:1.27
    volumeMounts: [{name: artifacts, mountPath: /usr/share/nginx/html, readOnly: true}]
"""


def request(**fields: Any) -> BuildRequested:
    values: dict[str, Any] = {
        "build_id": "0f3c9a",
        "project_key": "group/sub/app",
        "branch": "feature/Login",
        "source": Source.GITLAB,
        "delivery_id": "delivery-1",
        "event_id": "event-1",
    }
    return BuildRequested.model_validate(values | fields)


def context(aws: dict[str, str] | None = None, **pod: str) -> PodContext:
    """Settings as the scheduler reads them, from variables (``AFTOMATO_BUILD_IMAGE=...``)."""
    return PodContext(
        pod=PodSettings.model_validate(pod),
        scripts=ScriptsSettings.model_validate(
            {"AFTOMATO_BUILD_SCRIPTS_REPO": "https://git.example.com/ci/build-scripts.git"}
        ),
        aws=AwsSettings.model_validate(aws or {}),
        namespace=NAMESPACE,
    )


def example_configs() -> Iterator[tuple[str, ProjectConfig]]:
    for path in sorted(EXAMPLES.rglob("aftomato.yaml")):
        yield str(path.parent.relative_to(EXAMPLES)), parse_project_config(path.read_bytes())


def every_config() -> list[tuple[str, ProjectConfig]]:
    """The configs whose pods must be valid: defaults, every field, the examples'."""
    return [
        ("defaults", ProjectConfig()),
        ("every field", parse_project_config(EVERY_FIELD)),
        ("only limits", parse_project_config("resources: {limits: {memory: 256Mi}}")),
        *example_configs(),
    ]
