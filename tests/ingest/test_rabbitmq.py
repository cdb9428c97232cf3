"""Ingest on a real broker: what lands on the queue; a broker that goes away and returns."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aio_pika.abc import AbstractIncomingMessage
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildRequested, RefType, Source
from aftomato.common.settings import AmqpSettings
from aftomato.ingest.app import create_app
from aftomato.ingest.hooks import HookContext
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.requests import delivery_event_id
from aftomato.ingest.settings import WebhookSettings
from tests.ingest.queues import queued_messages
from tests.ingest.webhook_client import payload, send_webhook
from tests.support.servers.rabbitmq import RabbitMQServer
from tests.support.waiting import eventually_async

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(
    private_rabbitmq: RabbitMQServer,
) -> AsyncIterator[TestClient[Any, Any]]:
    url = private_rabbitmq.url()
    bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(url), publish_timeout=2))
    await queued_messages(url)  # declares the queue a scheduler would
    context = HookContext(
        bus=bus,
        settings=WebhookSettings.model_validate({"secrets": [SecretStr("test-secret")]}),
        metrics=IngestMetrics.register(CollectorRegistry()),
        recent=RecentDeliveries(100),
        clock=lambda: NOW,
    )
    app = create_app(PROVIDERS, context, ready=lambda: bus.connected, registry=CollectorRegistry())
    try:
        async with TestClient(TestServer(app)) as client:
            yield client
    finally:
        await bus.close()


async def test_the_message_on_the_queue_is_the_expected_build_request(
    client: TestClient[Any, Any], private_rabbitmq: RabbitMQServer
) -> None:
    body = {"project_key": "team/app", "branch": "Feature/X", "commit": "a" * 40}
    response = await send_webhook(client, "generic", body, delivery="gen-1")
    assert response.status == 202, await response.text()

    (incoming,) = await _one(private_rabbitmq)
    message = BuildRequested.model_validate_json(incoming.body)
    build_id = derived_build_id("generic", "gen-1", "team/app", "Feature/X")
    event_id = delivery_event_id(Source.GENERIC, "gen-1")
    assert message == BuildRequested(
        event_id=message.event_id,
        occurred_at=NOW,
        requested_at=NOW,
        build_id=build_id,
        project_key="team/app",
        branch="Feature/X",
        source=Source.GENERIC,
        delivery_id="gen-1",
        ref_type=RefType.BRANCH,
        commit="a" * 40,
    )
    assert incoming.message_id == message.event_id
    assert incoming.type == "build.requested"
    assert (await response.json()) == {
        "event_id": event_id,
        "builds": [{"build_id": build_id, "project_key": "team/app", "branch": "Feature/X"}],
    }


async def _one(server: RabbitMQServer) -> list[AbstractIncomingMessage]:
    """What the queue holds, once it holds something."""
    return await eventually_async(lambda: queued_messages(server.url()), what="a queued message")


def two_branch_push() -> bytes:
    """A Bitbucket Server push that updates two branches: two build requests in one delivery."""
    body = json.loads(payload("bitbucket-server", "repo-refs-changed.json"))
    body["changes"] = [
        {
            "ref": {"id": f"refs/heads/{name}", "displayId": name, "type": "BRANCH"},
            "refId": f"refs/heads/{name}",
            "fromHash": "1" * 40,
            "toHash": sha * 40,
            "type": "UPDATE",
        }
        for name, sha in (("main", "a"), ("release/1.0", "b"))
    ]
    return json.dumps(body).encode()


async def test_a_broker_outage_gets_503_publishes_nothing_and_heals_without_a_restart(
    client: TestClient[Any, Any], private_rabbitmq: RabbitMQServer
) -> None:
    push = two_branch_push()
    await asyncio.to_thread(private_rabbitmq.stop)
    response = await send_webhook(
        client, "bitbucket-server", push, event="repo:refs_changed", delivery="bbs-1"
    )
    assert response.status == 503, await response.text()
    assert response.headers["Retry-After"] == "5"
    assert (await client.get("/readyz")).status == 503

    await asyncio.to_thread(private_rabbitmq.start)
    assert await queued_messages(private_rabbitmq.url()) == []  # nothing half-published

    async def ready() -> bool:
        return (await client.get("/readyz")).status == 200

    async def redelivered() -> dict[str, Any] | None:
        retry = await send_webhook(
            client, "bitbucket-server", push, event="repo:refs_changed", delivery="bbs-1"
        )
        return await retry.json() if retry.status == 202 else None

    # The same ingest, never restarted, takes webhooks again.
    await eventually_async(ready, within=30, what="ingest to be ready again")
    builds = (await eventually_async(redelivered, within=30, what="a 202"))["builds"]
    assert [build["branch"] for build in builds] == ["main", "release/1.0"]
    messages = await _one(private_rabbitmq)
    assert sorted(BuildRequested.model_validate_json(m.body).build_id for m in messages) == sorted(
        build["build_id"] for build in builds
    )
