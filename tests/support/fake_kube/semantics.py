"""The pod rules the API server enforces beyond the OpenAPI schema (a chosen, useful subset).

Names, label and annotation syntax, container names and images, native sidecars' restart policy,
``activeDeadlineSeconds`` and volume mounts: the mistakes a pod-building function can make that
the schema alone would let through. Returns causes like ``validation.SchemaCheck.problems``.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.fake_kube import names
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.validation import Cause

_MAX_ANNOTATIONS_BYTES = 256 * 1024


def _invalid(field: str, value: Any, problems: list[str]) -> list[Cause]:
    return [
        (field, "FieldValueInvalid", f"Invalid value: {json.dumps(value)}: {p}") for p in problems
    ]


def pod_problems(pod: Obj) -> list[Cause]:
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    return [
        *_metadata_problems(meta),
        *_container_problems(spec),
        *_deadline_problems(spec),
        *_mount_problems(spec),
    ]


def _metadata_problems(meta: Obj) -> list[Cause]:
    name = meta.get("name", "")
    causes = _invalid("metadata.name", name, names.dns1123_subdomain(name))
    for key, value in (meta.get("labels") or {}).items():
        causes += _invalid("metadata.labels", key, names.qualified_name(key))
        causes += _invalid("metadata.labels", value, names.label_value(value))
    annotations = meta.get("annotations") or {}
    for key in annotations:
        causes += _invalid("metadata.annotations", key, names.qualified_name(key))
    size = sum(len(k) + len(v) for k, v in annotations.items())
    if size > _MAX_ANNOTATIONS_BYTES:
        detail = f"Too long: may not be more than {_MAX_ANNOTATIONS_BYTES} bytes"
        causes.append(("metadata.annotations", "FieldValueTooLong", detail))
    return causes


def _containers(spec: Obj) -> list[tuple[str, Obj]]:
    """Every container with the field path that names it: init containers first."""
    return [
        (f"spec.{group}[{index}]", container)
        for group in ("initContainers", "containers")
        for index, container in enumerate(spec.get(group) or [])
    ]


def _container_problems(spec: Obj) -> list[Cause]:
    causes: list[Cause] = []
    if not spec.get("containers"):
        causes.append(("spec.containers", "FieldValueRequired", "Required value"))
    seen: set[str] = set()
    for path, container in _containers(spec):
        name = container.get("name") or ""
        if name in seen:
            causes.append(
                (f"{path}.name", "FieldValueDuplicate", f"Duplicate value: {json.dumps(name)}")
            )
        seen.add(name)
        causes += _invalid(f"{path}.name", name, names.dns1123_label(name) if name else [])
        if not container.get("image"):
            causes.append((f"{path}.image", "FieldValueRequired", "Required value"))
        causes += _restart_policy_problems(path, container.get("restartPolicy"))
    return causes


def _restart_policy_problems(path: str, policy: str | None) -> list[Cause]:
    field = f"{path}.restartPolicy"
    if policy is None:
        return []
    if not path.startswith("spec.initContainers"):
        return [(field, "FieldValueForbidden", "Forbidden: may not be set for non-init containers")]
    if policy != "Always":
        detail = f'Unsupported value: "{policy}": supported values: "Always"'
        return [(field, "FieldValueNotSupported", detail)]
    return []


def _deadline_problems(spec: Obj) -> list[Cause]:
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is None or 1 <= deadline <= 2**31 - 1:
        return []
    detail = f"Invalid value: {deadline}: must be between 1 and 2147483647, inclusive"
    return [("spec.activeDeadlineSeconds", "FieldValueInvalid", detail)]


def _mount_problems(spec: Obj) -> list[Cause]:
    volumes = {volume.get("name") for volume in spec.get("volumes") or []}
    return [
        (
            f"{path}.volumeMounts[{index}].name",
            "FieldValueNotFound",
            f"Not found: {json.dumps(mount_name)}",
        )
        for path, container in _containers(spec)
        for index, mount in enumerate(container.get("volumeMounts") or [])
        if (mount_name := mount.get("name")) not in volumes
    ]
