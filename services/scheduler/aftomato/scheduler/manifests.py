"""The build pod of a request, as the plain dict the Kubernetes API takes (DESIGN section 7).

Pure: no I/O, the same inputs give the same pod. Its shape:

- init container ``scripts``: a shallow clone of the build-scripts repository at its branch into
  the ``scripts`` emptyDir; every value is an argument of ``git``, no shell is involved;
- the project's sidecars as native sidecars (init containers with ``restartPolicy: Always``);
- container ``build``: the project's image (or the default), running the entrypoint with the
  build's environment; ``scripts`` mounted read-only, ``workspace`` and ``artifacts`` emptyDirs;
- ``restartPolicy: Never``, ``activeDeadlineSeconds`` from the timeout, non-root everywhere.

Environment precedence, highest first: Aftomato's own variables (the build, the entrypoint's
settings, the AWS credentials), then the build's parameters, then the project's ``env``, then the
project's ``secrets`` (``envFrom``; Kubernetes lets ``env`` win over it). No name appears twice.
"""

from __future__ import annotations

import copy
from typing import Any

from aftomato.common.messages import BuildRequested
from aftomato.common.names import RESERVED_PARAMETERS
from aftomato.common.scripts.config import ProjectConfig
from aftomato.scheduler.labels import (
    BRANCH_LABEL,
    BUILD_ID_LABEL,
    MANAGED_BY,
    MANAGED_BY_SELECTOR,
    PROJECT_LABEL,
    label_value,
    pod_name,
)
from aftomato.scheduler.pod_settings import GRACE_MARGIN_SECONDS, PodContext
from aftomato.scheduler.resources import build_resources

__all__ = [
    "GRACE_MARGIN_SECONDS",
    "MANAGED_BY_SELECTOR",
    "build_environment",
    "build_pod",
    "label_value",
    "pod_name",
]

Manifest = dict[str, Any]

SCRIPTS_DIR = "/scripts"
WORKSPACE = "/workspace"
ARTIFACTS_DIR = "/artifacts"
BUILD_COMMAND = ("python3", "-m", "aftomato.entrypoint")
"""The build container's command: the entrypoint of ``build-container/``, in the build image."""
RUN_AS = 10001
SCRIPTS_RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}
AWS_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "aws-key",
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
    "AWS_DEFAULT_REGION": "region",
}
"""Variable -> key in the AWS Secret (optional: a service-account role works as well)."""


def build_pod(request: BuildRequested, project: ProjectConfig, context: PodContext) -> Manifest:
    """The v1 Pod that runs ``request`` under ``project``'s config."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": pod_name(request.build_id),
            "namespace": context.namespace,
            "labels": pod_labels(request),
            "annotations": pod_annotations(request),
        },
        "spec": _pod_spec(request, project, context),
    }


def pod_labels(request: BuildRequested) -> dict[str, str]:
    return {
        MANAGED_BY: "aftomato",
        BUILD_ID_LABEL: label_value(request.build_id),
        PROJECT_LABEL: label_value(request.project_key),
        BRANCH_LABEL: label_value(request.branch),
    }


def pod_annotations(request: BuildRequested) -> dict[str, str]:
    """The exact values the labels shorten, and where the request came from."""
    annotations = {
        "aftomato.io/project-key": request.project_key,
        "aftomato.io/branch": request.branch,
        "aftomato.io/event-id": request.event_id,
        "aftomato.io/source": request.source.value,
    }
    if request.commit:
        annotations["aftomato.io/commit"] = request.commit
    if request.pull_request is not None:
        annotations["aftomato.io/pull-request"] = str(request.pull_request)
    return annotations


def _pod_spec(request: BuildRequested, project: ProjectConfig, context: PodContext) -> Manifest:
    service_account = project.service_account or context.pod.service_account
    spec: Manifest = {
        "restartPolicy": "Never",
        "activeDeadlineSeconds": context.pod.timeout_for(project),
        "terminationGracePeriodSeconds": context.pod.termination_grace_seconds,
        "enableServiceLinks": False,
        "automountServiceAccountToken": project.service_account is not None,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "initContainers": [
            _scripts_container(context),
            *(sidecar.as_manifest() for sidecar in project.sidecars),
        ],
        "containers": [_build_container(request, project, context)],
        "volumes": [
            {"name": name, "emptyDir": {}} for name in ("scripts", "workspace", "artifacts")
        ],
    }
    if service_account:
        spec["serviceAccountName"] = service_account
    if project.node_selector:
        spec["nodeSelector"] = dict(project.node_selector)
    if project.tolerations:
        spec["tolerations"] = [toleration.as_manifest() for toleration in project.tolerations]
    return spec


def _container_security() -> Manifest:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _scripts_container(context: PodContext) -> Manifest:
    """Clones the build scripts; the URL and branch are arguments, never shell text."""
    clone = ["git", "clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags"]
    clone += ["--branch", context.scripts.branch, "--", context.scripts.repo, SCRIPTS_DIR]
    return {
        "name": "scripts",
        "image": context.pod.image,
        "command": clone,
        "env": [{"name": "GIT_TERMINAL_PROMPT", "value": "0"}],
        "volumeMounts": [{"name": "scripts", "mountPath": SCRIPTS_DIR}],
        "resources": copy.deepcopy(SCRIPTS_RESOURCES),
        "securityContext": _container_security(),
    }


def _build_container(
    request: BuildRequested, project: ProjectConfig, context: PodContext
) -> Manifest:
    container: Manifest = {
        "name": "build",
        "image": project.image or context.pod.image,
        "command": list(BUILD_COMMAND),
        "env": build_environment(request, project, context),
        "volumeMounts": [
            {"name": "scripts", "mountPath": SCRIPTS_DIR, "readOnly": True},
            {"name": "workspace", "mountPath": WORKSPACE},
            {"name": "artifacts", "mountPath": ARTIFACTS_DIR},
        ],
        "resources": build_resources(project.resources, context.pod.default_resources()),
        "securityContext": _container_security(),
    }
    if project.secrets:
        container["envFrom"] = [{"secretRef": {"name": name}} for name in project.secrets]
    return container


def build_environment(
    request: BuildRequested, project: ProjectConfig, context: PodContext
) -> list[Manifest]:
    """The build container's ``env``, Aftomato's own variables first (see the module docstring)."""
    own = _own_environment(request, context)
    taken = {variable["name"] for variable in own} | RESERVED_PARAMETERS
    chosen = {**project.env, **request.parameters}
    return own + [
        {"name": name, "value": value}
        for name, value in chosen.items()
        if name not in taken and not name.startswith("AFTOMATO_")
    ]


def _own_environment(request: BuildRequested, context: PodContext) -> list[Manifest]:
    values = {
        "BUILD_ID": request.build_id,
        "PROJECT_KEY": request.project_key,
        "BRANCH_TO_BUILD": request.branch,
        "COMMIT_TO_BUILD": request.commit,
        "PULL_REQUEST": None if request.pull_request is None else str(request.pull_request),
        "AFTOMATO_BUILD_SCRIPTS_DIR": SCRIPTS_DIR,
        "AFTOMATO_WORKSPACE": WORKSPACE,
        "ARTIFACTS_DIR": ARTIFACTS_DIR,
        "AFTOMATO_ARTIFACTS_BUCKET": context.aws.artifacts_bucket,
        "AFTOMATO_AWS_ENDPOINT_URL": context.aws.endpoint_url,
        "AFTOMATO_KILL_GRACE_SECONDS": str(context.pod.kill_grace_seconds),
    }
    secret = context.pod.aws_secret
    return [{"name": name, "value": value} for name, value in values.items() if value] + [
        {
            "name": name,
            "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": True}},
        }
        for name, key in AWS_CREDENTIALS.items()
    ]
