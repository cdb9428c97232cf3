"""``aftomato ingest``: the composition root of the webhook receiver.

Reads its settings, connects to RabbitMQ, and serves the hooks until SIGTERM, when it finishes the
requests in flight. It is ready only while the broker is connected: a load balancer then sends
webhooks to a replica that can take them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.http import HttpServer
from aftomato.common.logging import get_logger
from aftomato.common.runner import Component
from aftomato.common.service import report_settings_error, run_service
from aftomato.common.settings import AmqpSettings, HttpSettings, SettingsError, load
from aftomato.ingest.app import create_app
from aftomato.ingest.hooks import HookContext
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.settings import WebhookSettings

log = get_logger(__name__)


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="aftomato ingest", description=__doc__).parse_args(argv)
    try:
        amqp, http, webhooks = load(AmqpSettings), load(HttpSettings), load(WebhookSettings)
    except SettingsError as error:
        return report_settings_error("ingest", error)

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        check_webhook_security(webhooks)
        bus = await RabbitMqBus.connect(amqp)
        stack.push_async_callback(bus.close)
        registry = CollectorRegistry()
        context = HookContext(
            bus=bus,
            settings=webhooks,
            metrics=IngestMetrics.register(registry),
            recent=RecentDeliveries(webhooks.recent_deliveries),
            clock=lambda: datetime.now(UTC),
        )
        # /readyz answering at all means the server listens; what it adds is the broker.
        app = create_app(PROVIDERS, context, ready=lambda: bus.connected, registry=registry)
        return [HttpServer(app, http.host, http.port, name="ingest")]

    secrets = [*webhooks.all_secret_values(), amqp.url.get_secret_value()]
    return run_service("ingest", start, secrets=secrets)


def check_webhook_security(webhooks: WebhookSettings) -> None:
    """Refuse to start with no secret at all, unless unsigned webhooks are allowed on purpose."""
    if webhooks.insecure_allow_unsigned:
        log.warning(
            "AFTOMATO_INSECURE_ALLOW_UNSIGNED_WEBHOOKS is on: anyone who can reach this service "
            "can start builds"
        )
        return
    if not webhooks.all_secret_values():
        raise SettingsError(
            "Webhooks (ingest) settings: AFTOMATO_WEBHOOK_SECRET (or a provider's own "
            "AFTOMATO_<PROVIDER>_WEBHOOK_SECRET) is required, unless "
            "AFTOMATO_INSECURE_ALLOW_UNSIGNED_WEBHOOKS=true"
        )
