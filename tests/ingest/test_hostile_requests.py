"""The whole ingest HTTP layer under hostile requests: never a 5xx, always a JSON answer.

Bodies, headers, content types, encodings and signatures are drawn by hypothesis and sent over
real HTTP to an ingest app on the in-process bus (served from a thread, so hypothesis can drive
it synchronously). A correctly signed body must still get a 2xx or a 4xx naming its problem.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.ingest.app import create_app
from aftomato.ingest.hooks import HookContext
from aftomato.ingest.metrics import IngestMetrics
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.recent import RecentDeliveries
from aftomato.ingest.settings import WebhookSettings
from tests.ingest.providers.hostile import JSON_VALUES, SAMPLES, mutated
from tests.ingest.webhook_client import (
    DELIVERY_HEADERS,
    EVENT_HEADERS,
    TEST_SECRET,
    payload,
    signature_headers,
)
from tests.support.threaded_server import serve_in_thread

HOOK_PATHS = [f"/hooks/{name}" for name in PROVIDERS] + [
    "/hooks/stash",
    "/hooks/bitbucket",
    "/hooks/buildscripts",
    "/hooks/unknown",
]
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
        "application/json; charset=bogus",
    ]
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)


async def make_ingest() -> web.Application:
    bus = InMemoryBus(InMemoryBroker())
    context = HookContext(
        bus=bus,
        settings=WebhookSettings.model_validate(
            {"secrets": [SecretStr(TEST_SECRET)], "max_body_bytes": 64 * 1024}
        ),
        metrics=IngestMetrics.register(CollectorRegistry()),
        recent=RecentDeliveries(100),
        clock=lambda: datetime(2026, 11, 25, tzinfo=UTC),
    )
    return create_app(PROVIDERS, context, ready=lambda: bus.connected, registry=CollectorRegistry())


@pytest.fixture(scope="module")
def ingest_url() -> Iterator[str]:
    with serve_in_thread(make_ingest) as url:
        yield url


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def check_answer(status: int, body: bytes, content_type: str) -> None:
    event(f"status {status}")  # --hypothesis-show-statistics shows which answers were reached
    assert status < 500, body
    if status >= 400:
        assert content_type.startswith("application/json"), (status, content_type)
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message"}
        assert error["message"]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "mutated", "form"]))
    if kind == "bytes":
        return draw(st.binary(max_size=512))
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    provider = draw(st.sampled_from(sorted(SAMPLES)))
    _, name = draw(st.sampled_from(SAMPLES[provider]))
    document = draw(mutated(json.loads(payload(provider, name))))
    text = json.dumps(document)
    if kind == "form":
        return urllib.parse.urlencode({"payload": text}).encode()
    return text.encode()


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    path = draw(st.sampled_from(HOOK_PATHS))
    provider = path.removeprefix("/hooks/")
    provider = {"stash": "bitbucket-server", "bitbucket": "bitbucket-cloud"}.get(provider, provider)
    body = draw(bodies())
    headers = {"Content-Type": draw(CONTENT_TYPES)}
    if provider in EVENT_HEADERS:
        headers[EVENT_HEADERS[provider]] = draw(
            st.sampled_from(["push", "pull_request", "Push Hook", "repo:refs_changed", "ping"])
            | HEADER_TEXT
        )
    if provider in DELIVERY_HEADERS and draw(st.booleans()):
        headers[DELIVERY_HEADERS[provider]] = draw(HEADER_TEXT)
    signing = draw(st.sampled_from(["good", "bad", "none"]))
    if signing != "none" and provider in PROVIDERS:
        secret = TEST_SECRET if signing == "good" else draw(HEADER_TEXT)
        headers |= signature_headers(provider, body, secret)
    if draw(st.booleans()):
        headers[draw(st.sampled_from(["Content-Encoding", "X-Aftomato-Signature"]))] = draw(
            HEADER_TEXT
        )
    return path, body, headers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests())
def test_no_hostile_request_gets_a_5xx_or_a_non_json_error(
    ingest_url: str, request: tuple[str, bytes, dict[str, str]]
) -> None:
    path, body, headers = request
    check_answer(*post(ingest_url + path, body, headers))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=JSON_VALUES, provider=st.sampled_from(sorted(EVENT_HEADERS)))
def test_a_signed_body_of_any_json_gets_a_2xx_or_a_4xx_naming_its_problem(
    ingest_url: str, document: Any, provider: str
) -> None:
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/json", EVENT_HEADERS[provider]: "push"}
    headers |= signature_headers(provider, body, TEST_SECRET)
    status, answer, content_type = post(f"{ingest_url}/hooks/{provider}", body, headers)
    check_answer(status, answer, content_type)
    assert status in {200, 202, 400, 422}, (status, answer)


@st.composite
def signed_real_deliveries(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """A provider's real payload, mutated, with its own event header and a good signature."""
    provider = draw(st.sampled_from(sorted(SAMPLES)))
    event_header, name = draw(st.sampled_from(SAMPLES[provider]))
    document = draw(mutated(json.loads(payload(provider, name))))
    body = json.dumps(document).encode()
    (header_name, header_value), *_ = event_header.items()
    headers = {"Content-Type": "application/json", header_name.replace("_", "-"): header_value}
    headers |= signature_headers(provider, body, TEST_SECRET)
    return f"/hooks/{provider}", body, headers


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delivery=signed_real_deliveries())
def test_a_signed_mutated_real_delivery_builds_or_names_its_problem(
    ingest_url: str, delivery: tuple[str, bytes, dict[str, str]]
) -> None:
    path, body, headers = delivery
    status, answer, content_type = post(ingest_url + path, body, headers)
    check_answer(status, answer, content_type)
    assert status in {200, 202, 400}, (status, answer)
    if status == 202:
        assert json.loads(answer)["builds"], answer
