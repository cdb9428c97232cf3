"""What only a real broker can show: restarts, outages, and bodies no model accepts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aio_pika
import pytest

from aftomato.common.bus import DEAD_LETTER_QUEUE, EXCHANGE, BusUnavailable, Delivery
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.messages import BuildQueued
from tests.common.bus.backends import amqp_settings
from tests.support.servers.rabbitmq import RabbitMQServer
from tests.support.waiting import eventually, eventually_async

pytestmark = pytest.mark.integration


def queued(number: int) -> BuildQueued:
    return BuildQueued(build_id=f"b{number}", project_key="o/r", branch="main", reason="busy")


@pytest.fixture
async def bus(amqp_url: str) -> AsyncIterator[RabbitMqBus]:
    bus = await RabbitMqBus.connect(amqp_settings(amqp_url), service_queues={})
    yield bus
    await bus.close()


async def test_declaring_the_topology_again_is_harmless(amqp_url: str, bus: RabbitMqBus) -> None:
    again = await RabbitMqBus.connect(amqp_settings(amqp_url), service_queues={})
    await again.close()
    assert bus.connected


async def test_published_messages_carry_the_documented_properties(
    amqp_url: str, bus: RabbitMqBus
) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(EXCHANGE, "build.queued")
        sent = queued(1)
        await bus.publish(sent)
        incoming = await eventually_async(lambda: queue.get(fail=False))
        await incoming.ack()
    assert incoming.content_type == "application/json"
    assert incoming.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert incoming.message_id == sent.event_id
    assert incoming.type == "build.queued"
    assert BuildQueued.model_validate_json(incoming.body) == sent


async def test_a_body_no_model_accepts_is_dead_lettered_without_reaching_the_handler(
    amqp_url: str, bus: RabbitMqBus
) -> None:
    seen: list[Delivery] = []

    async def handler(delivery: Delivery) -> None:
        seen.append(delivery)

    await bus.subscribe("scheduler", ["build.queued"], handler)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        garbage = aio_pika.Message(b"{not json", type="build.queued")
        await exchange.publish(garbage, "build.queued")
        dead = await channel.get_queue(DEAD_LETTER_QUEUE)
        letter = await eventually_async(lambda: dead.get(fail=False, no_ack=True))
    assert letter.body == b"{not json"
    assert seen == []


async def test_publishing_while_the_broker_is_down_fails_fast(
    private_rabbitmq: RabbitMQServer,
) -> None:
    bus = await RabbitMqBus.connect(
        amqp_settings(private_rabbitmq.url(), publish_timeout=2), service_queues={}
    )
    try:
        await asyncio.to_thread(private_rabbitmq.stop)
        await eventually(lambda: not bus.connected, what="the bus to notice the outage")
        started = time.monotonic()
        with pytest.raises(BusUnavailable):
            await bus.publish(queued(1))
        assert time.monotonic() - started < 3
    finally:
        await bus.close()


async def test_publisher_and_consumer_carry_on_after_the_broker_restarts(
    private_rabbitmq: RabbitMQServer,
) -> None:
    settings = amqp_settings(private_rabbitmq.url())
    publisher = await RabbitMqBus.connect(settings, service_queues={})
    consumer = await RabbitMqBus.connect(settings, service_queues={})
    received: list[str] = []

    async def handler(delivery: Delivery) -> None:
        received.append(delivery.message.event_id)

    try:
        await consumer.subscribe("scheduler", ["build.queued"], handler)
        before = queued(1)
        await publisher.publish(before)
        await eventually(lambda: before.event_id in received)

        await asyncio.to_thread(private_rabbitmq.restart)

        after = queued(2)
        await eventually(lambda: publisher.connected and consumer.connected, within=30)
        await _publish_when_back(publisher, after)
        await eventually(lambda: after.event_id in received, within=30)
    finally:
        await publisher.close()
        await consumer.close()


async def _publish_when_back(bus: RabbitMqBus, message: BuildQueued) -> None:
    """The robust connection restores its channel shortly after reconnecting."""
    deadline = time.monotonic() + 30
    while True:
        try:
            await bus.publish(message)
            return
        except BusUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
