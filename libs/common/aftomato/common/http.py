"""HTTP pieces every service shares: health and metrics routes, and an aiohttp server component.

``/healthz`` says the process is alive (its event loop answers); ``/readyz`` says it can do its
work now (every component ready, not stopping); ``/metrics`` is Prometheus' text format. Services
with an HTTP API add these routes to their own app; the others serve them on the health port.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from aftomato.common.logging import get_logger

log = get_logger(__name__)


def add_health_routes(
    app: web.Application, ready: Callable[[], bool], registry: CollectorRegistry
) -> None:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        if ready():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not ready"}, status=503)

    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=generate_latest(registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


class HttpServer:
    """Serves an aiohttp app until asked to stop; in-flight requests get ``shutdown_timeout``."""

    def __init__(
        self,
        app: web.Application,
        host: str,
        port: int,
        *,
        name: str = "http",
        shutdown_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self._app = app
        self._host = host
        self._port = port
        self._shutdown_timeout = shutdown_timeout
        self._listening = asyncio.Event()
        self.bound_port: int | None = None

    def ready(self) -> bool:
        return self._listening.is_set()

    async def wait_listening(self) -> int:
        await self._listening.wait()
        return self.bound_port or self._port

    async def run(self, stopping: asyncio.Event) -> None:
        runner = web.AppRunner(self._app, shutdown_timeout=self._shutdown_timeout, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            self.bound_port = _bound_port(runner, self._port)
            log.info("listening", host=self._host, port=self.bound_port, server=self.name)
            self._listening.set()
            await stopping.wait()
        finally:
            self._listening.clear()
            await runner.cleanup()


def health_server(
    ready: Callable[[], bool],
    registry: CollectorRegistry,
    port: int,
    host: str = "0.0.0.0",  # noqa: S104 - probes reach the pod's address
) -> HttpServer:
    """``/healthz``, ``/readyz`` and ``/metrics`` alone, for a service without an HTTP API."""
    app = web.Application()
    add_health_routes(app, ready, registry)
    return HttpServer(app, host, port, name="health")


def _bound_port(runner: web.AppRunner, requested: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return requested
