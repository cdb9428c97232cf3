"""The queue a scheduler would consume, declared so that ``build.requested`` is routable."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractQueue

from aftomato.common.bus.topology import EXCHANGE
from tests.ingest.queues import SCHEDULER_QUEUE, queued_messages


class SchedulerQueue:
    def __init__(self, connection: AbstractConnection, queue: AbstractQueue) -> None:
        self._connection = connection
        self._queue = queue

    @classmethod
    async def declare(cls, url: str) -> SchedulerQueue:
        """Declare and bind it as the tests do (declaring the exchange first, as services do)."""
        connection = await aio_pika.connect(url)
        channel = await connection.channel()
        await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        await queued_messages(url)  # declares aftomato.scheduler bound to build.requested
        return cls(connection, await channel.get_queue(SCHEDULER_QUEUE))

    async def count_and_purge(self) -> int:
        """How many messages the queue held; it is empty afterwards."""
        purged = await self._queue.purge()
        return int(purged.message_count or 0)

    async def close(self) -> None:
        await self._connection.close()
