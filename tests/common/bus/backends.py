"""The two bus implementations behind one test-facing shape, so one contract suite runs on both."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Protocol

import aio_pika
from pydantic import SecretStr

from aftomato.common.bus import DEAD_LETTER_QUEUE, Bus
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.settings import AmqpSettings

DELIVERY_LIMIT = 3


class Backend(Protocol):
    async def connect(self) -> Bus:
        """A new connection to the same broker (closed at the end of the test)."""

    async def dead_letters(self) -> list[str]:
        """Routing keys of the messages now in ``aftomato.dead-letters`` (taking them out)."""


class MemoryBackend:
    def __init__(self, stack: AsyncExitStack) -> None:
        self._stack = stack
        self.broker = InMemoryBroker(delivery_limit=DELIVERY_LIMIT, service_queues={})
        self._taken: list[str] = []

    async def connect(self) -> Bus:
        bus = InMemoryBus(self.broker)
        self._stack.push_async_callback(bus.close)
        return bus

    async def dead_letters(self) -> list[str]:
        queue = self.broker.queues[DEAD_LETTER_QUEUE].messages
        self._taken.extend(stored.routing_key for stored in queue)
        queue.clear()
        return list(self._taken)


def amqp_settings(url: str, **changes: object) -> AmqpSettings:
    fields: dict[str, object] = {
        "url": SecretStr(url),
        "delivery_limit": DELIVERY_LIMIT,
        "publish_timeout": 5.0,
    }
    fields.update(changes)
    return AmqpSettings.model_validate(fields)


class RabbitMqBackend:
    def __init__(self, stack: AsyncExitStack, url: str) -> None:
        self._stack = stack
        self.url = url
        self._taken: list[str] = []

    async def connect(self) -> Bus:
        bus = await RabbitMqBus.connect(amqp_settings(self.url), service_queues={})
        self._stack.push_async_callback(bus.close)
        return bus

    async def dead_letters(self) -> list[str]:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(DEAD_LETTER_QUEUE, ensure=False)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                self._taken.append(message.routing_key or "")
        return list(self._taken)
