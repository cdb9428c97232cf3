"""Build pods from the Kubernetes API (kubernetes-asyncio), selected by Aftomato's label."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from kubernetes_asyncio.client import ApiClient, ApiException, CoreV1Api

from aftomato.watcher.pod_source import Pod, PodEvent, WatchExpired

MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=aftomato"
BUILD_CONTAINER = "build"
LOG_CHUNK = 64 * 1024
HTTP_GONE = 410


class KubePodSource:
    def __init__(self, api_client: ApiClient, namespace: str) -> None:
        self._api = CoreV1Api(api_client)
        self._namespace = namespace

    async def list(self) -> tuple[list[Pod], str]:
        # the JSON as it came: building V1Pod models only to turn them back into dicts is most
        # of the cost of a listing
        response: Any = await self._api.list_namespaced_pod(
            self._namespace, label_selector=MANAGED_BY_SELECTOR, _preload_content=False
        )
        await _checked(response)
        try:
            listed = json.loads(await response.read())
        finally:
            response.release()
        return list(listed.get("items") or []), str(listed["metadata"]["resourceVersion"])

    async def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        # The watch stream read line by line and each event parsed once (kubernetes_asyncio's
        # Watch parses every event, dumps it and parses it again into a V1Pod model).
        response: Any = await self._api.list_namespaced_pod(
            self._namespace,
            label_selector=MANAGED_BY_SELECTOR,
            resource_version=resource_version,
            timeout_seconds=max(1, int(seconds)),
            allow_watch_bookmarks=False,
            watch=True,
            _preload_content=False,
        )
        await _checked(response)
        try:
            async for line in response.content:
                if line.strip():
                    yield _event(json.loads(line))
        finally:
            response.release()

    async def log(self, name: str, *, follow: bool = False) -> AsyncGenerator[bytes, None]:
        response: Any = await self._api.read_namespaced_pod_log(
            name,
            self._namespace,
            container=BUILD_CONTAINER,
            follow=follow,
            _preload_content=False,
        )
        await _checked(response)
        try:
            async for chunk in response.content.iter_chunked(LOG_CHUNK):
                yield bytes(chunk)
        finally:
            response.release()

    async def delete(self, name: str) -> None:
        try:
            response: Any = await self._api.delete_namespaced_pod(
                name,
                self._namespace,
                _preload_content=False,  # the deleted pod: not needed
            )
            await _checked(response)
            response.release()
        except ApiException as error:
            if error.status != 404:
                raise


def _event(event: dict[str, Any]) -> PodEvent:
    """One line of a watch; an ``ERROR`` event raises (``410 Gone``: WatchExpired)."""
    kind, pod = str(event.get("type")), event.get("object") or {}
    if kind == "ERROR":
        code, message = pod.get("code"), str(pod.get("message", ""))
        if code == HTTP_GONE:
            raise WatchExpired(message)
        raise ApiException(status=code, reason=f"{pod.get('reason')}: {message}")
    return PodEvent(kind, pod)


async def _checked(response: Any) -> None:
    """Raise ``ApiException`` for an error answer (``410 Gone``: WatchExpired), as the client
    does when it reads the body itself (with ``_preload_content=False`` it leaves that to us)."""
    if not 200 <= response.status <= 299:
        try:
            body = await response.read()
        finally:
            response.release()
        if response.status == HTTP_GONE:
            raise WatchExpired(body.decode(errors="replace"))
        raise ApiException(status=response.status, reason=body.decode(errors="replace")[:2000])
