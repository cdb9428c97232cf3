"""One HTTP port for every service of ``aftomato up``: the ingest hooks on the api's application.

The api's application serves ``/api/v1``, the UI, ``/healthz``, ``/readyz`` and ``/metrics``;
the ingest application's ``/hooks/*`` routes are added to it, each still behind the ingest's own
error middleware, so webhooks answer exactly as ``aftomato ingest`` answers them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from aftomato.ingest.app import json_errors

HOOKS_PREFIX = "/hooks/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_hooks(target: web.Application, ingest: web.Application) -> None:
    """Serve ``ingest``'s ``/hooks/*`` routes from ``target``."""
    for route in ingest.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(HOOKS_PREFIX):
            target.router.add_route(route.method, path, _with_ingest_errors(route.handler))


def _with_ingest_errors(handler: Handler) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await json_errors(request, handler)

    return handle
