"""The soak's load: signed GitHub push deliveries at a steady rate, open loop (each is sent at its
moment whether or not earlier ones have been answered), every answer tallied."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from tests.e2e.cluster import WEBHOOK_SECRET
from tests.ingest.webhook_client import DELIVERY_HEADERS, signature_headers


@dataclass
class Tally:
    sent: int = 0
    deliveries_accepted: int = 0
    """202s."""
    accepted: dict[str, float] = field(default_factory=dict)
    """build id -> ``time.monotonic()`` when its delivery's 202 arrived."""
    deliveries_with_many_builds: int = 0
    """202s naming more than one build for one delivery (one push, one branch: one build)."""
    refused: Counter[str] = field(default_factory=Counter)
    """Every answer but 202, and every failed request, by status or error."""

    @property
    def answered(self) -> int:
        return self.deliveries_accepted + self.refused.total()


async def drive(
    http: aiohttp.ClientSession,
    ingest_url: str,
    bodies: list[bytes],
    rate: float,
    seconds: float,
    *,
    tally: Tally | None = None,
) -> Tally:
    """Send ``rate`` pushes a second for ``seconds``, cycling through ``bodies``, counting into
    ``tally`` (watch it meanwhile) or a new one; returns once every one has been answered."""
    tally = tally if tally is not None else Tally()
    sending: set[asyncio.Task[None]] = set()
    started = time.monotonic()
    for number in range(round(rate * seconds)):
        await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
        task = asyncio.create_task(_deliver(http, ingest_url, bodies[number % len(bodies)], tally))
        sending.add(task)
        task.add_done_callback(sending.discard)
        tally.sent += 1
    await asyncio.gather(*sending)
    return tally


async def _deliver(http: aiohttp.ClientSession, ingest_url: str, body: bytes, tally: Tally) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        DELIVERY_HEADERS["github"]: str(uuid.uuid4()),
        **signature_headers("github", body, WEBHOOK_SECRET),
    }
    try:
        async with http.post(f"{ingest_url}/hooks/github", data=body, headers=headers) as answer:
            text = await answer.text()
            accepted_at = time.monotonic()
            status = answer.status
    except (aiohttp.ClientError, TimeoutError) as error:
        tally.refused[type(error).__name__] += 1
        return
    if status != 202:
        tally.refused[str(status)] += 1
        return
    tally.deliveries_accepted += 1
    builds = json.loads(text)["builds"]
    if len(builds) != 1:
        tally.deliveries_with_many_builds += 1
    for build in builds:
        tally.accepted[str(build["build_id"])] = accepted_at
