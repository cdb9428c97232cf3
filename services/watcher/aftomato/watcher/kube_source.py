"""Build pods from the Kubernetes API (kubernetes-asyncio), selected by Aftomato's label."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, cast

from kubernetes_asyncio import watch
from kubernetes_asyncio.client import ApiClient, ApiException, CoreV1Api

from aftomato.watcher.pod_source import Pod, PodEvent, WatchExpired

MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=aftomato"
BUILD_CONTAINER = "build"
LOG_CHUNK = 64 * 1024


class KubePodSource:
    def __init__(self, api_client: ApiClient, namespace: str) -> None:
        self._client = api_client
        self._api = CoreV1Api(api_client)
        self._namespace = namespace

    async def list(self) -> tuple[list[Pod], str]:
        listed = await self._api.list_namespaced_pod(
            self._namespace, label_selector=MANAGED_BY_SELECTOR
        )
        pods = [self._plain(pod) for pod in listed.items]
        return pods, str(listed.metadata.resource_version)

    async def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        async with watch.Watch() as stream:
            try:
                async for event in stream.stream(
                    self._api.list_namespaced_pod,
                    self._namespace,
                    label_selector=MANAGED_BY_SELECTOR,
                    resource_version=resource_version,
                    timeout_seconds=max(1, int(seconds)),
                    allow_watch_bookmarks=False,
                ):
                    yield PodEvent(str(event["type"]), self._plain(event["object"]))
            except ApiException as error:
                if error.status == 410:
                    raise WatchExpired(str(error.reason)) from error
                raise

    async def log(self, name: str) -> AsyncGenerator[bytes, None]:
        response: Any = await self._api.read_namespaced_pod_log(
            name, self._namespace, container=BUILD_CONTAINER, _preload_content=False
        )
        try:
            async for chunk in response.content.iter_chunked(LOG_CHUNK):
                yield bytes(chunk)
        finally:
            response.release()

    async def delete(self, name: str) -> None:
        try:
            await self._api.delete_namespaced_pod(name, self._namespace)
        except ApiException as error:
            if error.status != 404:
                raise

    def _plain(self, pod: Any) -> Pod:
        if isinstance(pod, dict):
            return pod
        return cast(Pod, self._client.sanitize_for_serialization(pod))
