"""The api's parts wired together, given its clients: used by ``aftomato api`` (RabbitMQ, etcd,
DynamoDB, S3, Kubernetes) and by ``aftomato up`` (the embedded back ends) alike.

It returns the aiohttp application (the JSON API, the web UI's pages over the same queries, the
health routes) and the components to run beside it; where the application listens is the
caller's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry

from aftomato.api.auth import Tokens, authenticate, parse_tokens
from aftomato.api.context import CONTEXT, ApiContext
from aftomato.api.errors import json_errors
from aftomato.api.events import EventHub
from aftomato.api.handlers_read import VERSION
from aftomato.api.live_logs import LiveLogs
from aftomato.api.log_stream import LogFollower
from aftomato.api.metrics import ApiMetrics
from aftomato.api.openapi import openapi_document
from aftomato.api.queries import ApiQueries
from aftomato.api.routes import ROUTES
from aftomato.api.routing import add_routes
from aftomato.api.settings import ApiSettings
from aftomato.api.web import add_web_routes
from aftomato.common.blobs.store import BlobStore
from aftomato.common.bus import Bus
from aftomato.common.components import Periodic
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.store import CoordinationStore
from aftomato.common.http import add_health_routes
from aftomato.common.logging import get_logger
from aftomato.common.records.store import BuildStore
from aftomato.common.runner import Component, readiness
from aftomato.common.scripts.catalog import ScriptsReader

log = get_logger(__name__)

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ApiParts:
    app: web.Application
    queries: ApiQueries
    events: EventHub
    components: list[Component]


def compose_api(
    *,
    bus: Bus,
    records: BuildStore,
    logs: BlobStore,
    artifacts: BlobStore,
    coordination: CoordinationStore,
    keys: BuildKeys,
    scripts: ScriptsReader,
    live_logs: LiveLogs,
    settings: ApiSettings,
    registry: CollectorRegistry | None = None,
    scripts_poll_seconds: float = 300.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ApiParts:
    async def refresh_scripts() -> None:
        await scripts.refresh()

    scripts_poll = Periodic("build-scripts poll", scripts_poll_seconds, refresh_scripts)
    events = EventHub(bus, on_scripts_updated=scripts_poll.nudge)
    queries = ApiQueries(
        records=records,
        scripts=scripts,
        coordination=coordination,
        keys=keys,
        artifacts=artifacts,
    )
    context = ApiContext(
        queries=queries,
        bus=bus,
        scripts=scripts,
        coordination=coordination,
        keys=keys,
        logs=logs,
        artifacts=artifacts,
        follower=LogFollower(records, logs, live_logs, settings.log_poll_seconds),
        events=events,
        tokens=_tokens(settings),
        settings=settings,
        clock=clock,
    )
    components: list[Component] = [events, scripts_poll]
    app = _application(context, readiness(components), registry or CollectorRegistry())
    return ApiParts(app, queries, events, components)


def _tokens(settings: ApiSettings) -> Tokens:
    principals = parse_tokens(settings.tokens.get_secret_value())
    if not principals:
        log.warning("AFTOMATO_API_TOKENS is empty: nobody can launch, cancel or close the queue")
    return Tokens(principals)


def _application(
    context: ApiContext, ready: Callable[[], bool], registry: CollectorRegistry
) -> web.Application:
    """The JSON API, its OpenAPI document, the web UI's pages and the health routes."""
    metrics = ApiMetrics.register(registry)
    app = web.Application(
        middlewares=[metrics.middleware(), json_errors, authenticate(context.tokens)],
        client_max_size=MAX_BODY_BYTES,
    )
    app[CONTEXT] = context
    add_routes(app, ROUTES)
    document = openapi_document(ROUTES, version=VERSION["version"])

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/api/v1/openapi.json", openapi)
    read_requires_token = context.settings.read_requires_token
    add_web_routes(app, context.queries, read_requires_token=read_requires_token)
    add_health_routes(app, ready, registry)
    return app
