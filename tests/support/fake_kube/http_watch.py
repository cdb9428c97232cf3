"""``GET .../pods?watch=true``: newline-delimited JSON watch events, as the API server streams them.

Per watcher, each change is seen through its selectors the way the watch cache does it: a pod
that starts matching arrives as ADDED, one that stops matching as DELETED (its last matching
content, with the new resourceVersion). A resourceVersion older than the kept history gets one
``ERROR`` event carrying a 410 Expired Status, then the stream ends. ``timeoutSeconds`` ends the
stream cleanly; so does ``FakeKube.cut_watches()`` (or it drops the connection with ``abort``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from aiohttp import web

from tests.support.fake_kube.errors import KubeError, Obj, bad_request
from tests.support.fake_kube.history import Cut, Event
from tests.support.fake_kube.selectors import PodFilter
from tests.support.fake_kube.store import PodStore
from tests.support.fake_kube.trees import copy_tree, render


def watch_event(event: Event, pod_filter: PodFilter, bookmarks: bool) -> Obj | None:
    """What one watcher sees of ``event``: None when the change is none of its business."""
    if event.type == "BOOKMARK":
        if not bookmarks:
            return None
        meta = {"resourceVersion": str(event.resource_version)}
        return {"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": meta}}
    now = event.type != "DELETED" and event.obj is not None and pod_filter.matches(event.obj)
    before = event.prev is not None and pod_filter.matches(event.prev)
    if now:
        return {"type": "MODIFIED" if before else "ADDED", "object": event.obj}
    if before and event.prev is not None:
        gone = copy_tree(event.prev)
        gone["metadata"]["resourceVersion"] = str(event.resource_version)
        return {"type": "DELETED", "object": gone}
    return None


def start_version(query: Mapping[str, str]) -> int | None:
    """The ``resourceVersion`` a watch resumes after; None (also for "0") to start with a list."""
    text = query.get("resourceVersion") or "0"
    try:
        version = int(text)
    except ValueError:
        raise bad_request(f"invalid resource version: {text!r}") from None
    return version or None


async def serve_watch(
    request: web.Request, store: PodStore, pod_filter: PodFilter
) -> web.StreamResponse:
    query = request.query
    bookmarks = query.get("allowWatchBookmarks", "false").lower() == "true"
    timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else None
    since = start_version(query)
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        start, subscription = store.watch(since)
    except KubeError as error:
        store.counters.watches_expired += 1
        await _send(response, {"type": "ERROR", "object": error.status})
        return response
    store.counters.watches_opened += 1
    with subscription, contextlib.suppress(TimeoutError, ConnectionResetError):
        async with asyncio.timeout(timeout):
            for event in start:
                await _send_seen(response, event, pod_filter, bookmarks)
            async for event in subscription:
                await _send_seen(response, event, pod_filter, bookmarks)
    if subscription.cut is Cut.ABORT and request.transport is not None:
        request.transport.close()
    return response


async def _send_seen(
    response: web.StreamResponse, event: Event, pod_filter: PodFilter, bookmarks: bool
) -> None:
    seen = watch_event(event, pod_filter, bookmarks)
    if seen is not None:
        await _send(response, seen)


async def _send(response: web.StreamResponse, event: Obj) -> None:
    await response.write(render(event) + b"\n")
