"""Build pods on the Kubernetes API (kubernetes-asyncio), with retries where retrying helps.

``409 AlreadyExists`` on create is success (the pod's name derives from the build id); 5xx,
429 and connection errors are retried with backoff; any other 4xx is final.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import orjson
from kubernetes_asyncio.client import ApiException, CoreV1Api

from aftomato.common.logging import get_logger
from aftomato.scheduler.labels import MANAGED_BY_SELECTOR
from aftomato.scheduler.pods import (
    CANCELLED_ANNOTATION,
    ENDED_PHASES,
    PodRejected,
    PodsUnavailable,
)

log = get_logger(__name__)
T = TypeVar("T")

ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.2


class KubePods:
    def __init__(self, api: CoreV1Api, namespace: str) -> None:
        self._api = api
        self._namespace = namespace

    async def create(self, manifest: dict[str, Any]) -> bool:
        body: Any = manifest  # the client sends a plain dict as it is

        async def post() -> None:
            # the answer is not read into a V1Pod model: that cost as much as the request
            await _released(
                await self._api.create_namespaced_pod(self._namespace, body, _preload_content=False)
            )

        try:
            await _retrying(post)
        except ApiException as error:
            if error.status == 409:
                return False
            raise PodRejected(_message(error)) from error
        return True

    async def cancel(self, name: str, reason: str, grace_seconds: int) -> bool:
        patch: Any = {"metadata": {"annotations": {CANCELLED_ANNOTATION: reason[:1000]}}}
        try:
            await _retrying(lambda: self._api.patch_namespaced_pod(name, self._namespace, patch))
            await _retrying(
                lambda: self._api.delete_namespaced_pod(
                    name, self._namespace, grace_period_seconds=grace_seconds
                )
            )
        except ApiException as error:
            if error.status == 404:
                return False
            raise PodRejected(_message(error)) from error
        return True

    async def withdraw(self, name: str, reason: str) -> bool:
        async def phase() -> str | None:
            response = await self._api.read_namespaced_pod(
                name, self._namespace, _preload_content=False
            )
            pod = orjson.loads(await _released(response))
            return (pod.get("status") or {}).get("phase")

        try:
            if await _retrying(phase) in ENDED_PHASES:
                return False
        except ApiException as error:
            if error.status == 404:
                return False
            raise PodRejected(_message(error)) from error
        return await self.cancel(name, reason, 0)

    async def existing(self) -> set[str]:
        async def names() -> set[str]:
            # only the names are needed: the answer is not read into V1Pod models
            response = await self._api.list_namespaced_pod(
                self._namespace, label_selector=MANAGED_BY_SELECTOR, _preload_content=False
            )
            listed = orjson.loads(await _released(response))
            return {pod["metadata"]["name"] for pod in listed.get("items") or []}

        try:
            return await _retrying(names)
        except ApiException as error:
            raise PodsUnavailable(_message(error)) from error


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """``call`` until it succeeds or fails for good; :class:`PodsUnavailable` when time runs out."""
    delay = FIRST_BACKOFF_SECONDS
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except ApiException as error:
            if error.status is not None and error.status < 500 and error.status != 429:
                raise
            problem = _message(error)
        except (aiohttp.ClientError, TimeoutError) as error:
            problem = repr(error)
        log.warning("Kubernetes API call failed; retrying", attempt=attempt, error=problem)
        await asyncio.sleep(delay)
        delay *= 2
    raise PodsUnavailable(f"the Kubernetes API kept failing: {problem}")


async def _released(response: Any) -> bytes:
    """Read and release an answer taken with ``_preload_content=False``, raising
    ``ApiException`` for an error as the client does for the answers it reads itself."""
    try:
        body = await response.read()
    finally:
        response.release()
    if not 200 <= response.status <= 299:
        error = ApiException(status=response.status, reason=response.reason)
        error.body = body.decode(errors="replace")
        raise error
    return bytes(body)


def _message(error: ApiException) -> str:
    return f"{error.status} {error.reason}: {str(error.body)[:500]}"
