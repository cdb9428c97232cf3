"""kubernetes-asyncio clients pointed at a fake (or any) API server URL, and small adapters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from kubernetes_asyncio.client import ApiClient, ApiException, Configuration, CoreV1Api, V1Pod


def api_client(url: str) -> ApiClient:
    """A plain-HTTP ``ApiClient`` for ``url``; the caller closes it (``async with``)."""
    return ApiClient(configuration=Configuration(host=url))


@asynccontextmanager
async def core_v1(url: str) -> AsyncIterator[CoreV1Api]:
    """``CoreV1Api`` on a fresh ``ApiClient``, closed on the way out."""
    async with api_client(url) as client:
        yield CoreV1Api(client)


def as_pod(manifest: dict[str, Any]) -> V1Pod:
    """A dict manifest as a request body: kubernetes-asyncio sends dicts as they are (unknown
    fields included), though its type stubs admit only models."""
    return cast(V1Pod, manifest)


def error_status(error: ApiException) -> dict[str, Any]:
    """The ``Status`` body of an ``ApiException``."""
    body: dict[str, Any] = json.loads(error.body or b"{}")
    return body
