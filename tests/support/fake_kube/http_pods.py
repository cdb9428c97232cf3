"""The pod endpoints of ``/api/v1``: create, read, list (or watch), update, patch and delete.

Handlers parse the request, call the store, and answer JSON; errors travel as ``KubeError``
and leave as ``Status`` bodies (``server.py``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.support.fake_kube import strategy
from tests.support.fake_kube.errors import Obj, bad_request, invalid
from tests.support.fake_kube.http_watch import serve_watch
from tests.support.fake_kube.patch import check_patch_type, merge_patch
from tests.support.fake_kube.selectors import (
    PodFilter,
    parse_field_selector,
    parse_label_selector,
)
from tests.support.fake_kube.store import PodStore
from tests.support.fake_kube.trees import json_answer, parse

STORE = web.AppKey("store", PodStore)


def _store(request: web.Request) -> PodStore:
    return request.app[STORE]


def _where(request: web.Request) -> tuple[str, str]:
    return request.match_info["namespace"], request.match_info["name"]


async def _body(request: web.Request) -> Any:
    try:
        return parse(await request.read())
    except ValueError as error:
        raise bad_request(f"the request body is not JSON: {error}") from None


def _filter(request: web.Request) -> PodFilter:
    query = request.query
    try:
        return PodFilter(
            request.match_info.get("namespace"),
            parse_label_selector(query.get("labelSelector")),
            parse_field_selector(query.get("fieldSelector")),
        )
    except ValueError as error:
        raise bad_request(str(error)) from None


def _pod_list(items: list[Obj], resource_version: int) -> Obj:
    return {
        "kind": "PodList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": str(resource_version)},
        "items": items,
    }


async def create_pod(request: web.Request) -> web.StreamResponse:
    pod = _store(request).create(request.match_info["namespace"], await _body(request))
    return json_answer(pod, status=201)


async def list_pods(request: web.Request) -> web.StreamResponse:
    store, pod_filter = _store(request), _filter(request)
    if request.query.get("watch", "false").lower() in {"true", "1"}:
        return await serve_watch(request, store, pod_filter)
    return json_answer(_pod_list(store.matching(pod_filter), store.resource_version))


async def get_pod(request: web.Request) -> web.StreamResponse:
    return json_answer(_store(request).record(*_where(request)).obj)


async def _grace_seconds(request: web.Request) -> int | None:
    """``gracePeriodSeconds`` from the query or from a ``DeleteOptions`` body."""
    text = request.query.get("gracePeriodSeconds")
    if text is None and request.can_read_body:
        options = await _body(request)
        text = options.get("gracePeriodSeconds") if isinstance(options, dict) else None
    if text is None:
        return None
    try:
        return max(0, int(text))
    except ValueError:
        raise bad_request(f"gracePeriodSeconds: Invalid value: {text!r}") from None


async def delete_pod(request: web.Request) -> web.StreamResponse:
    grace = await _grace_seconds(request)
    return json_answer(_store(request).delete(*_where(request), grace))


async def delete_pods(request: web.Request) -> web.StreamResponse:
    store, pod_filter = _store(request), _filter(request)
    namespace = request.match_info["namespace"]
    gone = [store.delete(namespace, pod["metadata"]["name"]) for pod in store.matching(pod_filter)]
    return json_answer(_pod_list(gone, store.resource_version))


def _precondition(body: Any) -> str | None:
    meta = body.get("metadata") if isinstance(body, dict) else None
    return (meta or {}).get("resourceVersion")


async def replace_pod(request: web.Request) -> web.StreamResponse:
    namespace, name = _where(request)
    body = strategy.received(await _body(request), namespace)
    if body["metadata"].get("name") != name:
        raise bad_request(
            f"the name of the object ({body['metadata'].get('name')}) does not "
            f"match the name on the URL ({name})"
        )
    version = _required_version(body, name)
    pod = _store(request).update(
        namespace, name, lambda old: strategy.for_update(old, body), version
    )
    return json_answer(pod)


async def _patch(request: web.Request) -> Obj:
    check_patch_type(request.content_type)
    patch = await _body(request)
    if not isinstance(patch, dict):
        raise bad_request("a merge patch must be a JSON object")
    return patch


async def patch_pod(request: web.Request) -> web.StreamResponse:
    patch = await _patch(request)
    namespace, name = _where(request)
    pod = _store(request).update(
        namespace,
        name,
        lambda old: strategy.for_update(old, merge_patch(old, patch)),
        _precondition(patch),
    )
    return json_answer(pod)


async def replace_status(request: web.Request) -> web.StreamResponse:
    namespace, name = _where(request)
    body = strategy.received(await _body(request), namespace)
    version = _required_version(body, name)
    pod = _store(request).update(
        namespace, name, lambda old: strategy.for_status_update(old, body), version
    )
    return json_answer(pod)


async def patch_status(request: web.Request) -> web.StreamResponse:
    patch = await _patch(request)
    namespace, name = _where(request)
    pod = _store(request).update(
        namespace,
        name,
        lambda old: strategy.for_status_update(old, merge_patch(old, patch)),
        _precondition(patch),
    )
    return json_answer(pod)


def _required_version(body: Obj, name: str) -> str:
    """Pods allow no unconditional update: a PUT must carry the resourceVersion it read."""
    version = _precondition(body)
    if not version:
        cause = (
            "metadata.resourceVersion",
            "FieldValueInvalid",
            "Invalid value: 0: must be specified for an update",
        )
        raise invalid(name, [cause])
    return version


def add_routes(app: web.Application) -> None:
    pods = "/api/v1/namespaces/{namespace}/pods"
    pod = pods + "/{name}"
    app.router.add_post(pods, create_pod)
    app.router.add_get(pods, list_pods)
    app.router.add_delete(pods, delete_pods)
    app.router.add_get("/api/v1/pods", list_pods)
    app.router.add_get(pod, get_pod)
    app.router.add_delete(pod, delete_pod)
    app.router.add_put(pod, replace_pod)
    app.router.add_patch(pod, patch_pod)
    app.router.add_get(pod + "/status", get_pod)
    app.router.add_put(pod + "/status", replace_status)
    app.router.add_patch(pod + "/status", patch_status)
