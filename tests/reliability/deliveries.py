"""GitHub pushes delivered as GitHub delivers them: signed, with a delivery id, and delivered
again with the same id when ingest answers ``503`` (or cannot be reached), as a sender retries.

The body is the recorded push of ``tests.e2e.webhooks`` with the project and branch changed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from tests.e2e.api import OPERATOR
from tests.e2e.cluster import WEBHOOK_SECRET
from tests.e2e.webhooks import PUSH
from tests.ingest.webhook_client import DELIVERY_HEADERS, signature_headers

QUICK = "examples/hello-world"
"""The quickest build of the suite's scripts: it prints its branch and ends."""
RETRY_SECONDS = 0.2
RETRIED = frozenset({0, 502, 503, 504})
"""Answers a sender retries: not reached, or not taken for now."""


def push_body(project: str, branch: str) -> bytes:
    body = json.loads(PUSH)
    body["repository"]["full_name"] = project
    body["ref"] = f"refs/heads/{branch}"
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Delivery:
    status: int
    build_ids: tuple[str, ...] = ()
    body: str = ""


async def deliver(
    http: aiohttp.ClientSession,
    ingest_url: str,
    body: bytes,
    delivery_id: str,
    secret: str = WEBHOOK_SECRET,
) -> Delivery:
    """One attempt; status 0 when ingest could not be reached at all."""
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        DELIVERY_HEADERS["github"]: delivery_id,
        **signature_headers("github", body, secret),
    }
    try:
        async with http.post(f"{ingest_url}/hooks/github", data=body, headers=headers) as answer:
            text = await answer.text()
    except aiohttp.ClientConnectionError:
        return Delivery(0)
    if answer.status != 202:
        return Delivery(answer.status, body=text)
    return Delivery(202, tuple(str(b["build_id"]) for b in json.loads(text)["builds"]), text)


@dataclass
class Sender:
    """Delivers pushes (and launches through the api) and repeats each, with the same delivery
    id or ``Idempotency-Key``, until it is accepted, counting every answer."""

    http: aiohttp.ClientSession
    ingest_url: str
    api_url: str = ""
    answers: Counter[int] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    async def push(self, project: str, branch: str, *, within: float = 60.0) -> str:
        body = push_body(project, branch)
        delivery_id = str(uuid.uuid4())
        async with asyncio.timeout(within):
            while True:
                answer = await deliver(self.http, self.ingest_url, body, delivery_id)
                self.answers[answer.status] += 1
                if answer.status == 202:
                    (build_id,) = answer.build_ids
                    self.accepted.append(build_id)
                    return build_id
                self._retry_or_fail(answer)
                await asyncio.sleep(RETRY_SECONDS)

    async def launch(self, project: str, branch: str, *, within: float = 60.0) -> str:
        """``POST /api/v1/builds`` as an operator, repeated with one key until it is taken."""
        key = str(uuid.uuid4())
        headers = {**OPERATOR, "Idempotency-Key": key}
        body = {"project": project, "branch": branch}
        async with asyncio.timeout(within):
            while True:
                answer = await _post_json(self.http, f"{self.api_url}/api/v1/builds", body, headers)
                self.answers[answer.status] += 1
                if answer.status == 202:
                    build_id = str(json.loads(answer.body)["build_id"])
                    self.accepted.append(build_id)
                    return build_id
                self._retry_or_fail(answer)
                await asyncio.sleep(RETRY_SECONDS)

    def _retry_or_fail(self, answer: Delivery) -> None:
        if answer.status not in RETRIED:
            raise AssertionError(f"answered {answer.status}: {answer.body}")
        if answer.status:
            self.refusals.append(answer.body)


async def _post_json(
    http: aiohttp.ClientSession, url: str, body: object, headers: dict[str, str]
) -> Delivery:
    try:
        async with http.post(url, json=body, headers=headers) as answer:
            return Delivery(answer.status, body=await answer.text())
    except aiohttp.ClientConnectionError:
        return Delivery(0)
