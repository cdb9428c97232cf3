"""Live console logs from Kubernetes: the build container's log with ``follow=true``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiClient, ApiException, CoreV1Api

from aftomato.common.logging import get_logger
from aftomato.common.records.model import BuildRecord

log = get_logger(__name__)

BUILD_CONTAINER = "build"
NOTHING_TO_FOLLOW = frozenset({400, 404})
"""400: the container is still waiting to start; 404: the pod is not there (yet, or any more)."""


class KubeLiveLogs:
    def __init__(self, api_client: ApiClient, namespace: str) -> None:
        self._api = CoreV1Api(api_client)
        self._namespace = namespace

    async def follow(self, build: BuildRecord) -> AsyncIterator[bytes]:
        if build.pod_name is None:
            return
        response: Any = await self._api.read_namespaced_pod_log(
            build.pod_name,
            self._namespace,
            container=BUILD_CONTAINER,
            follow=True,
            _preload_content=False,
        )
        # Without preloading, the client hands back error answers instead of raising them.
        if response.status >= 400:
            response.release()
            if response.status in NOTHING_TO_FOLLOW:
                return
            raise ApiException(status=response.status, reason=response.reason)
        try:
            async for chunk in response.content.iter_any():
                yield bytes(chunk)
        except (TimeoutError, aiohttp.ClientError) as error:
            # The caller looks again and skips what it has: a cut stream loses nothing.
            log.info("pod log stream ended early", build_id=build.build_id, error=repr(error))
        finally:
            response.release()
