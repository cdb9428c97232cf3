"""The api as a client sees it (docs/api.md): builds, logs, artifacts, cancels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.e2e.cluster import OPERATOR_TOKEN

OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


async def get_json(http: aiohttp.ClientSession, url: str) -> Answer:
    async with http.get(url) as answer:
        return Answer(answer.status, await answer.json())


async def get_text(http: aiohttp.ClientSession, url: str) -> Answer:
    async with http.get(url) as answer:
        return Answer(answer.status, await answer.text())


async def cancel(http: aiohttp.ClientSession, api_url: str, build_id: str) -> Answer:
    url = f"{api_url}/api/v1/builds/{build_id}/cancel"
    async with http.post(url, headers=OPERATOR, json={}) as answer:
        return Answer(answer.status, await answer.json())
