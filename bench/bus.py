"""Confirmed-publish throughput: the bus wrapper against bare aio-pika, in the same run.

Both publish the same ``build.queued`` messages to the same broker, exchange and quorum queue,
persistent, mandatory, with publisher confirms, ``WINDOW`` publishes in flight at a time. Rounds
interleave the two so that a noisy machine hurts both alike; the medians are compared.

    python -m bench.bus              # starts a private RabbitMQ
    AFTOMATO_BENCH_AMQP_URL=amqp://... python -m bench.bus
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aio_pika
from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.bus.topology import EXCHANGE, queue_arguments
from aftomato.common.messages import BuildQueued
from aftomato.common.settings import AmqpSettings
from tests.support.servers.rabbitmq import RabbitMQServer

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
WINDOW = 64
QUEUE = "bench.bus"

Publish = Callable[[int], Awaitable[None]]


def message(number: int) -> BuildQueued:
    return BuildQueued(
        build_id=f"b{number}", project_key="bench/project", branch="main", reason="benchmark"
    )


async def throughput(publish: Publish) -> float:
    """Messages per second with at most ``WINDOW`` confirmed publishes in flight."""
    slots = asyncio.Semaphore(WINDOW)

    async def one(number: int) -> None:
        async with slots:
            await publish(number)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(MESSAGES)))
    return MESSAGES / (time.perf_counter() - started)


async def bare_aio_pika(url: str) -> tuple[Publish, Callable[[], Awaitable[None]]]:
    connection = await aio_pika.connect_robust(url)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await channel.get_exchange(EXCHANGE)

    async def publish(number: int) -> None:
        sent = message(number)
        await exchange.publish(
            aio_pika.Message(
                sent.model_dump_json().encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=sent.event_id,
                type=sent.routing_key,
                timestamp=sent.occurred_at,
            ),
            sent.routing_key,
            mandatory=True,
        )

    return publish, connection.close


async def wrapper(url: str) -> tuple[Publish, Callable[[], Awaitable[None]]]:
    bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(url)), service_queues={})

    async def publish(number: int) -> None:
        await bus.publish(message(number))

    return publish, bus.close


async def measure(url: str) -> dict[str, float]:
    # Declares the exchanges; only the bench's own queue is bound, so both sides route alike.
    setup = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(url)), service_queues={})
    await setup.close()
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    queue = await channel.declare_queue(QUEUE, durable=True, arguments=queue_arguments(5))
    await queue.bind(EXCHANGE, "build.queued")
    results: dict[str, list[float]] = {"wrapper": [], "baseline": []}
    contenders = [("wrapper", wrapper), ("baseline", bare_aio_pika)]
    for round_number in range(ROUNDS):
        # Alternate who goes first, so neither always meets a broker that just worked hard.
        for name, make in contenders if round_number % 2 == 0 else contenders[::-1]:
            publish, close = await make(url)
            rate = await throughput(publish)
            await close()
            await queue.purge()
            results[name].append(rate)
            print(f"round {round_number + 1} {name:8} {rate:9.0f} msgs/s")
    await connection.close()
    return {name: statistics.median(rates) for name, rates in results.items()}


async def main() -> None:
    url = os.environ.get("AFTOMATO_BENCH_AMQP_URL")
    server = None
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-") as root:
        if url is None:
            server = RabbitMQServer(Path(root), management=False)
            await asyncio.to_thread(server.start)
            url = server.url()
        try:
            medians = await measure(url)
        finally:
            if server is not None:
                await asyncio.to_thread(server.close)
    ratio = medians["wrapper"] / medians["baseline"]
    print(f"{MESSAGES} messages x {ROUNDS} rounds, {WINDOW} in flight; median ratio {ratio:.3f}")
    print(
        json.dumps(
            {
                "wrapper_msgs_per_s": round(medians["wrapper"], 1),
                "baseline_msgs_per_s": round(medians["baseline"], 1),
                "ratio": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
