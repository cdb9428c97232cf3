"""What the server keeps and sets when a pod is created, updated or has its status updated.

Mirrors the Kubernetes pod registry strategies: create resets status to Pending and sets the
system fields; an update of the pod ignores status and may change only labels, annotations and a
few spec fields; a status update changes nothing but status.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.fake_kube.errors import Obj, bad_request, invalid
from tests.support.fake_kube.trees import copy_tree

_SYSTEM_FIELDS = ("name", "namespace", "uid", "creationTimestamp", "generation", "generateName")
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_SPEC_CHANGE_FORBIDDEN = (
    "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`"
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def received(body: Any, namespace: str) -> Obj:
    """The body of a create or replace, with apiVersion and kind filled in as the URL implies."""
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object (a v1 Pod)")
    pod = copy_tree(body)
    pod.setdefault("apiVersion", "v1")
    pod.setdefault("kind", "Pod")
    if (pod["apiVersion"], pod["kind"]) != ("v1", "Pod"):
        raise bad_request(f"the fake serves v1 Pods here, not {pod['apiVersion']} {pod['kind']}")
    meta = pod.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be a JSON object")
    if meta.get("namespace", namespace) != namespace:
        raise bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    return pod


def for_create(pod: Obj, namespace: str, resource_version: int) -> Obj:
    """The stored form of a validated new pod."""
    stored = copy_tree(pod)
    meta = stored["metadata"]
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + "".join(
            secrets.choice(_NAME_ALPHABET) for _ in range(5)
        )
    meta.update(
        namespace=namespace,
        uid=str(uuid.uuid4()),
        creationTimestamp=now(),
        generation=1,
        resourceVersion=str(resource_version),
    )
    stored["status"] = {"phase": "Pending"}
    return stored


def for_update(old: Obj, new: Obj) -> Obj:
    """A pod update (PUT or PATCH of the pod): system fields and status stay; spec mostly too."""
    result = copy_tree(new)
    for field in _SYSTEM_FIELDS:
        result["metadata"].pop(field, None)
        if field in old["metadata"]:
            result["metadata"][field] = old["metadata"][field]
    result["status"] = copy_tree(old.get("status", {}))
    if _mutable_spec_removed(result.get("spec", {})) != _mutable_spec_removed(old["spec"]):
        cause = ("spec", "FieldValueForbidden", _SPEC_CHANGE_FORBIDDEN)
        raise invalid(old["metadata"]["name"], [cause])
    return result


def for_status_update(old: Obj, new: Obj) -> Obj:
    """A status update: everything but status comes from the stored pod."""
    result = copy_tree(old)
    result["status"] = copy_tree(new.get("status") or {})
    return result


def terminating(old: Obj, grace_seconds: int) -> Obj:
    """A graceful deletion: the pod stays, marked, until its node has stopped it."""
    result = copy_tree(old)
    deadline = datetime.now(UTC) + timedelta(seconds=grace_seconds)
    result["metadata"]["deletionTimestamp"] = deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
    result["metadata"]["deletionGracePeriodSeconds"] = grace_seconds
    return result


def _mutable_spec_removed(spec: Obj) -> Obj:
    rest = {k: v for k, v in spec.items() if k != "activeDeadlineSeconds"}
    for group in ("containers", "initContainers"):
        if group in rest:
            rest[group] = [{k: v for k, v in c.items() if k != "image"} for c in rest[group]]
    return rest
