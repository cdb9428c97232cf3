"""``send_webhook(...)``: sign a body the way each SCM does and post it to an ingest app."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

PAYLOADS = Path(__file__).parent / "payloads"
TEST_SECRET = "test-secret"

EVENT_HEADERS = {
    "github": "X-GitHub-Event",
    "gitlab": "X-Gitlab-Event",
    "bitbucket-server": "X-Event-Key",
    "bitbucket-cloud": "X-Event-Key",
    "gitea": "X-Gitea-Event",
}
DELIVERY_HEADERS = {
    "github": "X-GitHub-Delivery",
    "gitlab": "X-Gitlab-Event-UUID",
    "bitbucket-server": "X-Request-Id",
    "bitbucket-cloud": "X-Request-UUID",
    "gitea": "X-Gitea-Delivery",
    "generic": "X-Aftomato-Delivery",
}


def payload(provider: str, name: str) -> bytes:
    return (PAYLOADS / provider / name).read_bytes()


def signature_headers(provider: str, body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if provider == "github":
        return {"X-Hub-Signature-256": f"sha256={digest}"}
    if provider == "gitlab":
        return {"X-Gitlab-Token": secret}
    if provider == "gitea":
        return {"X-Gitea-Signature": digest}
    if provider == "generic":
        return {"X-Aftomato-Signature": f"sha256={digest}"}
    return {"X-Hub-Signature": f"sha256={digest}"}


async def send_webhook(
    client: TestClient[Any, Any],
    provider: str,
    body: bytes | dict[str, Any],
    *,
    event: str | None = None,
    secret: str | None = TEST_SECRET,
    delivery: str | None = None,
    path: str | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> ClientResponse:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Content-Type": content_type}
    if provider in DELIVERY_HEADERS:
        sent[DELIVERY_HEADERS[provider]] = delivery or str(uuid.uuid4())
    if event is not None:
        sent[EVENT_HEADERS[provider]] = event
    if secret is not None:
        sent |= signature_headers(provider, raw, secret)
    sent |= headers or {}
    return await client.post(path or f"/hooks/{provider}", data=raw, headers=sent)
