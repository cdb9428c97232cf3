"""``POST /hooks/buildscripts``: the build-scripts repository changed; tell its readers to fetch.

Whatever SCM hosts that repository sends its own kind of webhook, so any provider's signature
scheme is accepted, checked with that provider's secrets. The body is not parsed: readers fetch
the repository themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from aftomato.common.logging import get_logger
from aftomato.common.messages import ScriptsUpdated, Source
from aftomato.ingest.bodies import read_body
from aftomato.ingest.errors import Unauthorized, WebhookRefused
from aftomato.ingest.hooks import HookContext, publish_all_messages
from aftomato.ingest.requests import delivery_event_id
from aftomato.ingest.webhooks import Provider

log = get_logger(__name__)


async def handle_scripts_updated(
    request: web.Request, providers: Mapping[str, Provider], context: HookContext
) -> web.Response:
    try:
        body = await read_body(request, context.settings.max_body_bytes)
        provider = _signing_provider(request, body, providers, context)
        delivery_id = provider.delivery_id(request.headers, body)
        event_id = delivery_event_id(Source(provider.name), delivery_id)
        await publish_all_messages(context.bus, [ScriptsUpdated(event_id=event_id)])
    except WebhookRefused as refused:
        log.info("build scripts webhook refused", error=refused.message)
        return refused.response()
    log.info("build scripts updated", event_id=event_id, provider=provider.name)
    return web.json_response({"event_id": event_id}, status=202)


def _signing_provider(
    request: web.Request,
    body: bytes,
    providers: Mapping[str, Provider],
    context: HookContext,
) -> Provider:
    signed = [p for p in providers.values() if p.signature_header in request.headers]
    if context.settings.insecure_allow_unsigned:
        return signed[0] if signed else providers["generic"]
    for provider in signed:
        secrets = context.secrets_for(provider.name)
        if secrets and provider.verify(request.headers, body, secrets):
            return provider
    if not signed:
        raise Unauthorized("missing signature header (any provider's scheme is accepted)")
    raise Unauthorized("the signature does not match")
