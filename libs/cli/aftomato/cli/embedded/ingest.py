"""The ingest application on the embedded bus, wired as ``aftomato ingest`` wires it."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry

from aftomato.common.bus import Bus
from aftomato.ingest.app import create_app
from aftomato.ingest.hooks import HookContext
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.settings import WebhookSettings


def compose_ingest(
    bus: Bus, webhooks: WebhookSettings, registry: CollectorRegistry
) -> web.Application:
    context = HookContext(
        bus=bus,
        settings=webhooks,
        metrics=IngestMetrics.register(registry),
        recent=RecentDeliveries(webhooks.recent_deliveries),
        clock=lambda: datetime.now(UTC),
    )
    return create_app(PROVIDERS, context, ready=lambda: True, registry=registry)
