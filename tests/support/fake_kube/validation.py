"""Schema check of every object the fake receives, with kubernetes-validate's strict schemas.

``kubernetes_validate.validate`` reads the 1.8 MB definitions file and builds a validator on every
call (about 10 ms). This module builds the very same validator (same schema files, same
``Draft202012Validator``, same registry) once per Kubernetes version and kind, then reuses it:
a pod validates in well under a millisecond. ``tests/support/test_fake_kube_validation.py`` checks
that both give the same verdicts.
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from kubernetes_validate import utils as kv

from tests.support.fake_kube.errors import Obj

Cause = tuple[str, str, str]  # (field path, Kubernetes cause reason, detail)


def known_versions() -> list[str]:
    """Kubernetes versions the installed kubernetes-validate has schemas for, oldest first."""
    return sorted(set(cast(list[str], kv.all_versions())), key=_major_minor)


def latest_version() -> str:
    return known_versions()[-1]


def _major_minor(version: str) -> tuple[int, int]:
    major, minor = version.removeprefix("v").split(".")[:2]
    return int(major), int(minor)


def schema_version(desired: str) -> str:
    """The newest schema not newer than ``desired``, as kubernetes-validate picks it."""
    wanted = _major_minor(desired)
    usable = [v for v in known_versions() if _major_minor(v) <= wanted]
    if not usable or wanted > _major_minor(latest_version()):
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {desired}")
    return usable[-1]


@functools.cache
def _validator(version: str, api_version: str, kind: str) -> Any:
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    schema = kv.schema_contents(f"{folder}/{kind.lower()}-{api_version}.json", version)
    definitions = kv.schema_contents(f"{folder}/_definitions.json", version)
    registry = kv.Resource.from_contents(definitions) @ (
        kv.Resource.from_contents(schema) @ kv.Registry()
    )
    return kv.jsonschema.validators.Draft202012Validator(schema, registry=registry)


class SchemaCheck:
    """Strict OpenAPI schema check for one Kubernetes version (core v1 objects)."""

    def __init__(self, kube_version: str | None = None) -> None:
        self.kube_version = kube_version or latest_version()
        self.schema_version = schema_version(self.kube_version)

    def warm(self, kind: str = "Pod") -> None:
        """Load the schema now, so the first request does not pay for it."""
        _validator(self.schema_version, "v1", kind)

    def problems(self, obj: Obj) -> list[Cause]:
        """Every schema violation in ``obj``, as causes the API server would name."""
        validator = _validator(self.schema_version, "v1", obj["kind"])
        errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.path])
        return [cause for error in errors for cause in _causes(error)]


def field_path(path: list[str | int]) -> str:
    """``["spec", "containers", 0, "name"]`` -> ``spec.containers[0].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _causes(error: Any) -> list[Cause]:
    path = list(error.path)
    here = field_path(path)
    kind = error.validator
    if kind == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        return [(field_path([*path, p]), "FieldValueRequired", "Required value") for p in missing]
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        unknown = [p for p in error.instance if p not in allowed]
        return [
            (field_path([*path, p]), "FieldValueForbidden", f'Forbidden: unknown field "{p}"')
            for p in unknown
        ]
    value = json.dumps(error.instance)
    if kind == "enum":
        supported = ", ".join(json.dumps(v) for v in error.validator_value if v is not None)
        detail = f"Unsupported value: {value}: supported values: {supported}"
        return [(here, "FieldValueNotSupported", detail)]
    reason = "FieldValueTypeInvalid" if kind == "type" else "FieldValueInvalid"
    return [(here, reason, f"Invalid value: {value}: {error.message}")]
