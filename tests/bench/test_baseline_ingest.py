"""The baselines of ``bench.ingest`` and ``bench.ingest_floor`` on real RabbitMQ: what each one
checks is checked for real (a floor that skipped its work would flatter the ratio it sets)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aio_pika
import pytest
from aio_pika.abc import AbstractExchange
from aiohttp.test_utils import TestClient, TestServer

from aftomato.common.bus.topology import EXCHANGE
from bench._baseline_ingest import SIGNATURE_HEADER, create_app, signed
from bench._queue import SchedulerQueue

pytestmark = pytest.mark.integration

SECRET = b"floor-secret"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "a" * 40, "repository": {}}).encode()
NO_COMMIT = b'{"ref": "refs/heads/main"}'


def signature(body: bytes, secret: bytes = SECRET) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_only_the_bodys_own_signature_under_the_secret_is_signed() -> None:
    assert signed(PUSH, signature(PUSH), SECRET)
    assert not signed(PUSH, signature(PUSH, b"other"), SECRET)
    assert not signed(PUSH + b" ", signature(PUSH), SECRET)
    assert not signed(PUSH, signature(PUSH).removeprefix("sha256="), SECRET)
    assert not signed(PUSH, None, SECRET)


@dataclass
class Broker:
    exchange: AbstractExchange
    queue: SchedulerQueue

    async def answer(
        self,
        body: bytes,
        headers: dict[str, str],
        *,
        secret: bytes | None = None,
        parse: bool = False,
    ) -> int:
        """The status a baseline with these checks answers ``body`` with."""
        app = create_app(self.exchange, secret=secret, parse=parse)
        async with TestClient(TestServer(app)) as client:
            response = await client.post("/hooks/github", data=body, headers=headers)
            return response.status


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[Broker]:
    queue = await SchedulerQueue.declare(amqp_url)  # build.requested is routable to it
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        yield Broker(await channel.get_exchange(EXCHANGE), queue)
    finally:
        await connection.close()
        await queue.close()


async def test_the_plain_baseline_publishes_whatever_it_is_sent(broker: Broker) -> None:
    assert await broker.answer(b"not json", {}) == 202
    assert await broker.queue.count_and_purge() == 1


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (PUSH, {SIGNATURE_HEADER: signature(PUSH)}, 202),
        (PUSH, {SIGNATURE_HEADER: signature(PUSH, b"other")}, 401),
        (PUSH, {}, 401),
        (b"{not json", {SIGNATURE_HEADER: signature(b"{not json")}, 400),
        (NO_COMMIT, {SIGNATURE_HEADER: signature(NO_COMMIT)}, 400),
    ],
    ids=["signed-push", "wrong-secret", "unsigned", "not-json", "no-commit"],
)
async def test_the_floor_refuses_what_a_verifying_receiver_refuses_and_publishes_the_rest(
    broker: Broker, body: bytes, headers: dict[str, str], status: int
) -> None:
    assert await broker.answer(body, headers, secret=SECRET, parse=True) == status
    assert await broker.queue.count_and_purge() == (1 if status == 202 else 0)


async def test_the_signature_check_alone_does_not_parse(broker: Broker) -> None:
    body = b"{not json"
    assert await broker.answer(body, {SIGNATURE_HEADER: signature(body)}, secret=SECRET) == 202
    assert await broker.queue.count_and_purge() == 1
