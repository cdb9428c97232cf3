"""Reading what ingest published, from the queue a scheduler would consume."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from aftomato.common.bus.topology import EXCHANGE, queue_arguments

SCHEDULER_QUEUE = "aftomato.scheduler"


async def queued_messages(url: str) -> list[AbstractIncomingMessage]:
    """Declare the scheduler's queue (as a scheduler would) and take every message waiting in it."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            SCHEDULER_QUEUE, durable=True, arguments=queue_arguments(5)
        )
        await queue.bind(EXCHANGE, "build.requested")
        taken = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
        return taken
