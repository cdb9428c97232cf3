"""Real GitHub push deliveries, signed as GitHub signs them, posted to ``aftomato ingest``.

The body is the recorded payload in ``tests/ingest/payloads/github/push.json`` (project
``binkkatal/sample_app``, branch ``master``); pushes for other projects change only
``repository.full_name`` and are signed again.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

import aiohttp

from tests.e2e.cluster import WEBHOOK_SECRET
from tests.ingest.webhook_client import DELIVERY_HEADERS, payload, signature_headers

PUSH = payload("github", "push.json")
PUSH_BRANCH = "master"


@dataclass(frozen=True)
class Accepted:
    build_id: str
    accepted_at: float
    """``time.monotonic()`` when the 202 arrived."""


def push_body(project: str | None = None) -> bytes:
    """The recorded push, as recorded, or for ``project``."""
    if project is None:
        return PUSH
    body = json.loads(PUSH)
    body["repository"]["full_name"] = project
    return json.dumps(body).encode()


async def push(session: aiohttp.ClientSession, ingest_url: str, body: bytes) -> Accepted:
    """Deliver ``body`` as a new GitHub push event; the build it started (202 expected)."""
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        DELIVERY_HEADERS["github"]: str(uuid.uuid4()),
        **signature_headers("github", body, WEBHOOK_SECRET),
    }
    async with session.post(f"{ingest_url}/hooks/github", data=body, headers=headers) as answer:
        text = await answer.text()
        assert answer.status == 202, f"ingest answered {answer.status}: {text}"
        accepted_at = time.monotonic()
    (build,) = json.loads(text)["builds"]
    return Accepted(str(build["build_id"]), accepted_at)
