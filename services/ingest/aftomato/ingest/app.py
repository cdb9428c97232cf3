"""The ingest HTTP application: a route per provider (and aliases), the scripts hook, health."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CollectorRegistry

from aftomato.common.http import add_health_routes
from aftomato.common.logging import get_logger
from aftomato.ingest.errors import UnknownProvider, WebhookRefused
from aftomato.ingest.hooks import HookContext, handle_delivery
from aftomato.ingest.scripts_hook import handle_scripts_updated
from aftomato.ingest.webhooks import Provider

log = get_logger(__name__)

ALIASES = {"stash": "bitbucket-server", "bitbucket": "bitbucket-cloud"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(
    providers: Mapping[str, Provider],
    context: HookContext,
    *,
    ready: Callable[[], bool],
    registry: CollectorRegistry,
) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        name = request.match_info["provider"]
        provider = providers.get(ALIASES.get(name, name))
        if provider is None:
            known = ", ".join(sorted([*providers, *ALIASES, "buildscripts"]))
            return UnknownProvider(f"no webhook provider {name!r}; known: {known}").response()
        return await handle_delivery(request, provider, context)

    async def scripts(request: web.Request) -> web.Response:
        return await handle_scripts_updated(request, providers, context)

    app = web.Application(middlewares=[json_errors])
    app.router.add_post("/hooks/buildscripts", scripts)
    app.router.add_post("/hooks/{provider}", hook)
    add_health_routes(app, ready, registry)
    return app


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error is a JSON body with a message, the router's 404 and 405 included."""
    try:
        return await handler(request)
    except web.HTTPException as http_error:
        if http_error.status < 400:
            raise
        refused = WebhookRefused(http_error.reason)
        refused.status, refused.code = http_error.status, _code(http_error.reason)
        return refused.response()
    except WebhookRefused as refused:
        return refused.response()
    except Exception:
        log.exception("unexpected error", path=request.path)
        return web.json_response(
            {"error": {"code": "internal", "message": "internal error; see the service log"}},
            status=500,
        )


def _code(reason: str) -> str:
    return reason.lower().replace(" ", "_")
