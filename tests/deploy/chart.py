"""Render and lint charts/aftomato offline with helm-python-sdk (Helm's Go SDK; no helm binary)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

CHART = Path(__file__).parents[2] / "charts" / "aftomato"
ALL_OPTIONS = Path(__file__).parent / "values-all-options.yaml"
RELEASE, NAMESPACE = "ci", "aftomato"
KUBE_VERSION = "v1.30.0"

Manifest = dict[str, Any]


def all_options() -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load(ALL_OPTIONS.read_text())
    return values


def render(values: dict[str, Any] | None = None) -> dict[str, str]:
    """Template path -> rendered text, as ``helm template`` would print them."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(values)
        return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def manifests(values: dict[str, Any] | None = None) -> list[Manifest]:
    """Every object the chart renders with ``values`` (NOTES.txt is text, not an object)."""
    return [
        document
        for path, text in render(values).items()
        if not path.endswith("NOTES.txt")
        for document in yaml.safe_load_all(text)
        if document
    ]


def lint(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return helm.lint(CHART, values, strict=True, namespace=NAMESPACE, kube_version=KUBE_VERSION)


def of_kind(objects: list[Manifest], kind: str) -> list[Manifest]:
    return [obj for obj in objects if obj["kind"] == kind]


def containers(objects: list[Manifest]) -> Iterator[tuple[str, Manifest, Manifest]]:
    """(deployment name, pod spec, container) of every container the chart runs."""
    for deployment in of_kind(objects, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            yield deployment["metadata"]["name"], pod, container
