"""The ingest HTTP layer on the in-process bus: answers, errors, duplicates, what gets published."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from aftomato.common.bus import Delivery
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildRequested, Message, RefType, ScriptsUpdated, Source
from aftomato.ingest.app import create_app
from aftomato.ingest.hooks import HookContext
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.settings import WebhookSettings
from tests.ingest.webhook_client import payload, send_webhook
from tests.support.waiting import eventually, settled

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GITHUB_PUSH = payload("github", "push.json")


class Ingest:
    """An ingest app on an in-process bus, with a queue that records what it published."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.broker = InMemoryBroker()
        self.bus = InMemoryBus(self.broker)
        self.published: list[Message] = []
        self.registry = CollectorRegistry()
        self.context = HookContext(
            bus=self.bus,
            settings=settings,
            metrics=IngestMetrics.register(self.registry),
            recent=RecentDeliveries(100),
            clock=lambda: NOW,
        )

    async def record(self, delivery: Delivery) -> None:
        self.published.append(delivery.message)

    def app(self) -> Any:
        return create_app(
            PROVIDERS, self.context, ready=lambda: self.bus.connected, registry=self.registry
        )


def webhook_settings(**values: Any) -> WebhookSettings:
    return WebhookSettings.model_validate({"secrets": [SecretStr("test-secret")], **values})


@pytest.fixture
async def ingest() -> Ingest:
    ingest = Ingest(webhook_settings())
    await ingest.bus.subscribe("test", ["build.requested", "scripts.updated"], ingest.record)
    return ingest


@pytest.fixture
async def client(ingest: Ingest) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(ingest.app())) as client:
        yield client


async def error_of(response: Any, status: int) -> str:
    assert response.status == status, await response.text()
    body = await response.json()
    assert set(body["error"]) == {"code", "message"}
    message: str = body["error"]["message"]
    return message


async def test_a_signed_push_is_published_and_answered_202(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    response = await send_webhook(client, "github", GITHUB_PUSH, event="push", delivery="d-1")
    assert response.status == 202, await response.text()
    answer = await response.json()
    ((message,),) = [await eventually(lambda: ingest.published)]
    assert isinstance(message, BuildRequested)
    expected_id = derived_build_id("github", "d-1", message.project_key, message.branch)
    assert answer["builds"] == [
        {"build_id": expected_id, "project_key": message.project_key, "branch": message.branch}
    ]
    assert message.build_id == expected_id
    assert message.source is Source.GITHUB
    assert message.delivery_id == "d-1"
    assert message.requested_at == NOW
    assert message.ref_type is RefType.BRANCH
    assert answer["event_id"]


async def test_a_repeated_delivery_is_answered_duplicate_and_publishes_nothing_more(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    first = await send_webhook(client, "github", GITHUB_PUSH, event="push", delivery="d-2")
    again = await send_webhook(client, "github", GITHUB_PUSH, event="push", delivery="d-2")
    assert (first.status, again.status) == (202, 200)
    repeat = await again.json()
    assert repeat["duplicate"] is True
    answer = await first.json()
    assert (repeat["event_id"], repeat["builds"]) == (answer["event_id"], answer["builds"])
    assert await settled(lambda: len(ingest.published)) == 1


async def test_events_that_build_nothing_are_answered_with_the_reason(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    response = await send_webhook(client, "github", payload("github", "ping.json"), event="ping")
    assert response.status == 200
    body = await response.json()
    assert body["builds"] == []
    assert "ping" in body["reason"]
    assert await settled(lambda: len(ingest.published)) == 0


@pytest.mark.parametrize(
    ("secret", "headers", "problem"),
    [
        (None, {}, "missing signature header X-Hub-Signature-256"),
        ("wrong-secret", {}, "does not match"),
        (None, {"X-Hub-Signature-256": "sha256=zz"}, "does not match"),
    ],
)
async def test_unsigned_or_wrongly_signed_deliveries_get_401(
    client: TestClient[Any, Any],
    ingest: Ingest,
    secret: str | None,
    headers: dict[str, str],
    problem: str,
) -> None:
    response = await send_webhook(
        client, "github", GITHUB_PUSH, event="push", secret=secret, headers=headers
    )
    assert problem in await error_of(response, 401)
    assert await settled(lambda: len(ingest.published)) == 0


async def test_a_provider_without_a_configured_secret_refuses() -> None:
    ingest = Ingest(WebhookSettings.model_validate({"gitlab": [SecretStr("only-gitlab")]}))
    async with TestClient(TestServer(ingest.app())) as client:
        response = await send_webhook(client, "github", GITHUB_PUSH, event="push")
        assert "no webhook secret is configured for github" in await error_of(response, 401)


async def test_unsigned_deliveries_pass_only_when_explicitly_allowed() -> None:
    ingest = Ingest(WebhookSettings(insecure_allow_unsigned=True))
    await ingest.bus.subscribe("test", ["build.requested"], ingest.record)
    async with TestClient(TestServer(ingest.app())) as client:
        response = await send_webhook(client, "github", GITHUB_PUSH, event="push", secret=None)
        assert response.status == 202


async def test_rotated_secrets_both_verify() -> None:
    settings = webhook_settings(secrets=[SecretStr("old-secret"), SecretStr("new-secret")])
    ingest = Ingest(settings)
    await ingest.bus.subscribe("test", ["build.requested"], ingest.record)
    async with TestClient(TestServer(ingest.app())) as client:
        for secret in ("old-secret", "new-secret"):
            response = await send_webhook(
                client, "github", GITHUB_PUSH, event="push", secret=secret
            )
            assert response.status == 202
        response = await send_webhook(client, "github", GITHUB_PUSH, event="push", secret="other")
        assert response.status == 401


async def test_a_body_over_the_limit_is_refused_413(client: TestClient[Any, Any]) -> None:
    huge = b'{"x": "' + b"a" * (6 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/hooks/github",
        data=io.BytesIO(huge),
        headers={"Content-Type": "application/json", "Content-Length": str(len(huge))},
    )
    assert "the limit is 5242880" in await error_of(response, 413)


async def test_a_streamed_body_over_the_limit_is_refused_without_reading_it_whole(
    client: TestClient[Any, Any],
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(200):  # up to 12.5 MiB, in 64 KiB chunks
            sent += 65536
            yield b"a" * 65536

    response = await client.post(
        "/hooks/github",
        data=chunks(),
        headers={"Content-Type": "application/json", "X-GitHub-Event": "push"},
    )
    assert response.status == 413
    assert sent < 12 * 1024 * 1024


async def test_a_wrong_content_type_gets_415(client: TestClient[Any, Any]) -> None:
    response = await send_webhook(
        client, "gitlab", b"<xml/>", event="Push Hook", content_type="application/xml"
    )
    assert "application/xml" in await error_of(response, 415)


async def test_malformed_json_gets_400(client: TestClient[Any, Any]) -> None:
    response = await send_webhook(client, "github", b"{not json", event="push")
    assert "not valid JSON" in await error_of(response, 400)


async def test_a_missing_field_gets_400_naming_it(client: TestClient[Any, Any]) -> None:
    body = json.loads(GITHUB_PUSH)
    del body["repository"]
    response = await send_webhook(client, "github", body, event="push")
    assert "repository" in await error_of(response, 400)


@pytest.mark.parametrize("branch", ["../../etc", "-rf", "a\x01b", "b" * 300])
async def test_an_unsafe_branch_gets_400(
    client: TestClient[Any, Any], ingest: Ingest, branch: str
) -> None:
    body = {"project_key": "team/app", "branch": branch}
    response = await send_webhook(client, "generic", body)
    assert "branch" in await error_of(response, 400)
    assert await settled(lambda: len(ingest.published)) == 0


async def test_github_form_encoded_deliveries_are_accepted(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    form = urlencode({"payload": GITHUB_PUSH.decode()}).encode()
    response = await send_webhook(
        client,
        "github",
        form,
        event="push",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status == 202, await response.text()
    await eventually(lambda: ingest.published)


@pytest.mark.parametrize(
    ("alias", "provider"), [("stash", "bitbucket-server"), ("bitbucket", "bitbucket-cloud")]
)
async def test_aliases_reach_their_provider(
    client: TestClient[Any, Any], alias: str, provider: str
) -> None:
    response = await send_webhook(
        client, provider, b"{}", event="unknown:event", path=f"/hooks/{alias}"
    )
    assert response.status in (200, 400), await response.text()
    assert response.status != 404


async def test_an_unknown_provider_gets_404(client: TestClient[Any, Any]) -> None:
    response = await client.post("/hooks/svn", data=b"{}")
    assert "no webhook provider 'svn'" in await error_of(response, 404)


async def test_other_methods_and_paths_get_json_errors(client: TestClient[Any, Any]) -> None:
    await error_of(await client.get("/hooks/github"), 405)
    await error_of(await client.get("/nothing"), 404)


async def test_a_broker_that_is_down_gets_503_and_nothing_is_remembered(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    await ingest.bus.close()
    response = await send_webhook(client, "github", GITHUB_PUSH, event="push", delivery="d-3")
    await error_of(response, 503)
    assert response.headers["Retry-After"] == "5"
    assert (await client.get("/readyz")).status == 503

    ingest.context = ingest.context  # the same app, a broker that is back:
    back = InMemoryBus(ingest.broker)
    object.__setattr__(ingest.context, "bus", back)
    again = await send_webhook(client, "github", GITHUB_PUSH, event="push", delivery="d-3")
    assert again.status == 202
    assert "duplicate" not in await again.json()


async def test_the_build_scripts_hook_publishes_scripts_updated(
    client: TestClient[Any, Any], ingest: Ingest
) -> None:
    response = await send_webhook(
        client, "github", GITHUB_PUSH, event="push", path="/hooks/buildscripts"
    )
    assert response.status == 202, await response.text()
    (message,) = await eventually(lambda: ingest.published)
    assert isinstance(message, ScriptsUpdated)
    unsigned = await send_webhook(
        client, "github", GITHUB_PUSH, secret=None, path="/hooks/buildscripts"
    )
    await error_of(unsigned, 401)


async def test_health_and_metrics(client: TestClient[Any, Any]) -> None:
    await send_webhook(client, "github", GITHUB_PUSH, event="push")
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    metrics = await (await client.get("/metrics")).text()
    assert 'aftomato_ingest_deliveries_total{outcome="accepted",provider="github"} 1.0' in metrics
    assert "aftomato_ingest_request_seconds_bucket" in metrics
