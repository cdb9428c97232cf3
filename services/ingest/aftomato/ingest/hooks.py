"""``POST /hooks/<provider>``: verify, normalise, publish, and answer only once the broker holds it.

The order matters: the size limit before reading, the signature before parsing, the parse before
publishing, and ``202`` only after every message of the delivery is confirmed. A broker that is
down or slow gives ``503`` with ``Retry-After``; the sender's retry is harmless because ids are
derived from the delivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from aiohttp import web

from aftomato.common.bus import Bus, PublishError
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildRequested, Message, Source
from aftomato.ingest.bodies import decode_payload, read_body
from aftomato.ingest.errors import BadPayload, Unauthorized, Unavailable, WebhookRefused
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.requests import build_requests, delivery_event_id
from aftomato.ingest.settings import WebhookSettings
from aftomato.ingest.webhooks import Headers, PayloadError, Provider

log = get_logger(__name__)
_level = logging.getLogger(__name__)
"""The stdlib logger whose level structlog's ``filter_by_level`` consults for ``log``."""

RETRY_AFTER_SECONDS = "5"
_SOURCES = {source.value: source for source in Source}
"""``Source`` by value: ``Source(value)`` costs 5k instructions a call (callgrind)."""
_FORMS_FROM = frozenset({Source.GITHUB.value})
"""The providers whose bodies may be form-encoded (a ``payload`` field holding the JSON)."""


class Answer(NamedTuple):
    """What a delivery is answered; a repeat gets the same, made again from its body (a named
    tuple: as immutable as a frozen dataclass, and cheaper to build, once per delivery)."""

    event_id: str
    builds: tuple[dict[str, str], ...]
    reason: str | None = None

    def body(self, *, duplicate: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"event_id": self.event_id, "builds": list(self.builds)}
        if self.reason:
            body["reason"] = self.reason
        if duplicate:
            body["duplicate"] = True
        return body


@dataclass(frozen=True)
class HookContext:
    bus: Bus
    settings: WebhookSettings
    metrics: IngestMetrics
    recent: RecentDeliveries
    clock: Callable[[], datetime]
    _secrets: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)

    def secrets_for(self, provider: str) -> tuple[str, ...]:
        """``settings.secrets_for``, read once per provider (the settings are frozen)."""
        secrets = self._secrets.get(provider)
        if secrets is None:
            secrets = self._secrets[provider] = self.settings.secrets_for(provider)
        return secrets


async def handle_delivery(
    request: web.Request, provider: Provider, context: HookContext
) -> web.Response:
    """The whole life of one webhook request, logged once and counted once."""
    started = time.perf_counter()
    outcome, fields = "error", {"provider": provider.name}
    try:
        response, outcome, fields = await _deliver(request, provider, context)
    except WebhookRefused as refused:
        outcome = refused.code
        fields["error"] = refused.message
        response = refused.response()
    finally:
        context.metrics.delivered(provider.name, outcome, time.perf_counter() - started)
    if _level.isEnabledFor(logging.INFO):  # structlog builds a logger per call, even to drop it
        log.info("webhook delivery", outcome=outcome, status=response.status, **fields)
    return response


async def _deliver(
    request: web.Request, provider: Provider, context: HookContext
) -> tuple[web.Response, str, dict[str, Any]]:
    body = await read_body(request, context.settings.max_body_bytes)
    _verify(request, body, provider, context)
    payload = decode_payload(
        request.content_type,
        body,
        form_allowed=provider.name in _FORMS_FROM,
        projection=provider.projection(request.headers),
    )
    delivery_id = provider.delivery_id(request.headers, body)
    fields: dict[str, Any] = {"provider": provider.name, "delivery_id": delivery_id}
    answer, messages = _normalise(provider, request.headers, delivery_id, payload, context.clock())
    fields |= {"event_id": answer.event_id, "builds": answer.builds}
    if context.recent.seen(provider.name, delivery_id):
        return json_response(answer.body(duplicate=True), 200), "duplicate", fields
    if not messages:
        fields["reason"] = answer.reason
        return json_response(answer.body(), 200), "ignored", fields
    # No ids to bind: nothing logs in this task while it publishes (the delivery's own line
    # names the event id), and binding cost about 2% of a delivery's instructions.
    await publish_all_messages(context.bus, messages)
    context.metrics.requested(provider.name, len(messages))
    context.recent.remember(provider.name, delivery_id)
    return json_response(answer.body(), 202), "accepted", fields


def json_response(body: dict[str, Any], status: int) -> web.Response:
    """``web.json_response`` (same Content-Type) rendered by orjson, at half the cost."""
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json", charset="utf-8"
    )


def _verify(request: web.Request, body: bytes, provider: Provider, context: HookContext) -> None:
    if context.settings.insecure_allow_unsigned:
        return
    if provider.signature_header not in request.headers:
        raise Unauthorized(f"missing signature header {provider.signature_header}")
    secrets = context.secrets_for(provider.name)
    if not secrets:
        raise Unauthorized(f"no webhook secret is configured for {provider.name}")
    if not provider.verify(request.headers, body, secrets):
        raise Unauthorized(f"the {provider.signature_header} signature does not match")


def _normalise(
    provider: Provider, headers: Headers, delivery_id: str, payload: Any, now: datetime
) -> tuple[Answer, list[BuildRequested]]:
    source = _SOURCES[provider.name]
    try:
        parsed = provider.parse(headers, payload)
    except PayloadError as error:
        raise BadPayload(str(error)) from None
    event_id = delivery_event_id(source, delivery_id)
    messages = build_requests(
        source, delivery_id, parsed.builds, received_at=now, event_id=event_id
    )
    builds = tuple(
        {"build_id": m.build_id, "project_key": m.project_key, "branch": m.branch} for m in messages
    )
    return Answer(event_id, builds, parsed.reason), messages


async def publish_all_messages(bus: Bus, messages: Sequence[Message]) -> None:
    """Publish every message and wait for every confirm; :class:`Unavailable` if any is missing."""
    if len(messages) == 1:  # most deliveries: no task to create and gather
        try:
            await bus.publish(messages[0])
        except PublishError as error:
            raise _unavailable(error) from None
        return
    results = await asyncio.gather(
        *(bus.publish(message) for message in messages), return_exceptions=True
    )
    failures = [result for result in results if isinstance(result, BaseException)]
    for failure in failures:
        if not isinstance(failure, PublishError):
            raise failure
    if failures:
        raise _unavailable(failures[0])


def _unavailable(failure: BaseException) -> Unavailable:
    return Unavailable(
        f"the message broker did not take the message: {failure}",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )
