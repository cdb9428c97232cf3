"""The bus inside one process, for ``aftomato up`` and unit tests.

It keeps the broker's promises that services rely on: a message goes to every queue bound to its
routing key (or the publish raises ``Unroutable``); consumers of a queue share its messages, at most
``prefetch`` in flight each; a message is removed only when its handler succeeded; a requeued one
is delivered again until the delivery limit, then dead-lettered; a bus closed with handlers in
flight gives their messages back. Messages travel as JSON so a handler never shares an object
with its publisher. Nothing survives the process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from aftomato.common.bus.dispatch import Outcome, decode, run_handler
from aftomato.common.bus.errors import BusUnavailable, Unroutable
from aftomato.common.bus.protocol import Delivery, Handler
from aftomato.common.bus.topology import DEAD_LETTER_QUEUE, SERVICE_QUEUES, topic_matches
from aftomato.common.messages import Message


@dataclass(frozen=True, slots=True)
class StoredMessage:
    routing_key: str
    body: bytes
    delivery_count: int = 1


@dataclass
class _Queue:
    bindings: set[str] = field(default_factory=set)
    messages: deque[StoredMessage] = field(default_factory=deque)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def put(self, stored: StoredMessage, *, front: bool = False) -> None:
        async with self.arrived:
            (self.messages.appendleft if front else self.messages.append)(stored)
            self.arrived.notify()

    async def take(self) -> StoredMessage:
        async with self.arrived:
            await self.arrived.wait_for(lambda: bool(self.messages))
            return self.messages.popleft()


class InMemoryBroker:
    """The state every :class:`InMemoryBus` of a process shares: queues and dead letters."""

    def __init__(
        self,
        *,
        delivery_limit: int = 5,
        service_queues: Mapping[str, Sequence[str]] = SERVICE_QUEUES,
    ) -> None:
        self.delivery_limit = delivery_limit
        self.queues: dict[str, _Queue] = {DEAD_LETTER_QUEUE: _Queue()}
        for name, routing_keys in service_queues.items():
            self.declare(name, routing_keys)

    def declare(self, name: str, routing_keys: Sequence[str]) -> _Queue:
        queue = self.queues.setdefault(name, _Queue())
        queue.bindings.update(routing_keys)
        return queue

    async def route(self, stored: StoredMessage) -> None:
        targets = [
            queue
            for queue in self.queues.values()
            if any(topic_matches(pattern, stored.routing_key) for pattern in queue.bindings)
        ]
        if not targets:
            raise Unroutable(f"no queue is bound for {stored.routing_key!r}")
        for queue in targets:
            await queue.put(stored)

    async def settle(self, queue: _Queue, stored: StoredMessage, outcome: Outcome) -> None:
        if outcome is Outcome.ACK:
            return
        if outcome is Outcome.REQUEUE and stored.delivery_count < self.delivery_limit:
            await queue.put(replace(stored, delivery_count=stored.delivery_count + 1), front=True)
            return
        await self.queues[DEAD_LETTER_QUEUE].put(stored)

    def forget(self, name: str) -> None:
        """Delete the queue ``name`` and what it holds (a transient queue whose listener left)."""
        self.queues.pop(name, None)

    def dead_letters(self) -> list[StoredMessage]:
        return list(self.queues[DEAD_LETTER_QUEUE].messages)


class InMemorySubscription:
    def __init__(
        self,
        broker: InMemoryBroker,
        queue: _Queue,
        handler: Handler,
        prefetch: int,
        *,
        on_stop: Callable[[], None] | None = None,
    ):
        self._broker = broker
        self._on_stop = on_stop
        self._queue = queue
        self._handler = handler
        self._slots = asyncio.Semaphore(prefetch)
        self._in_flight: dict[asyncio.Task[None], StoredMessage] = {}
        self._feeder = asyncio.create_task(self._feed())

    async def _feed(self) -> None:
        while True:
            await self._slots.acquire()
            stored = await self._queue.take()
            task = asyncio.create_task(self._deliver(stored))
            self._in_flight[task] = stored
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._slots.release()

    async def _deliver(self, stored: StoredMessage) -> None:
        message = decode(stored.routing_key, stored.body)
        if message is None:
            outcome = Outcome.DEAD_LETTER
        else:
            delivery = Delivery(message, stored.routing_key, stored.delivery_count)
            outcome = await run_handler(self._handler, delivery)
        await self._broker.settle(self._queue, stored, outcome)

    async def cancel(self, drain_timeout: float = 30.0) -> None:
        self._feeder.cancel()
        await asyncio.gather(self._feeder, return_exceptions=True)
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=drain_timeout)
        await self.abandon()

    async def abandon(self) -> None:
        """Stop at once, like a dropped connection: messages in flight go back unacknowledged."""
        self._feeder.cancel()
        abandoned = list(self._in_flight.items())
        for task, _ in abandoned:
            task.cancel()
        await asyncio.gather(self._feeder, *(task for task, _ in abandoned), return_exceptions=True)
        for _, stored in abandoned:
            await self._broker.settle(self._queue, stored, Outcome.REQUEUE)
        if self._on_stop is not None:
            self._on_stop()


class InMemoryBus:
    """One "connection" to an :class:`InMemoryBroker`."""

    def __init__(self, broker: InMemoryBroker, *, prefetch: int = 32) -> None:
        self._broker = broker
        self._prefetch = prefetch
        self._subscriptions: list[InMemorySubscription] = []
        self._closed = False

    @property
    def connected(self) -> bool:
        return not self._closed

    async def publish(self, message: Message) -> None:
        if self._closed:
            raise BusUnavailable("the bus is closed")
        body = message.model_dump_json().encode()
        await self._broker.route(StoredMessage(message.routing_key, body))

    async def subscribe(
        self,
        queue: str,
        routing_keys: Sequence[str],
        handler: Handler,
        *,
        prefetch: int | None = None,
    ) -> InMemorySubscription:
        if self._closed:
            raise BusUnavailable("the bus is closed")
        declared = self._broker.declare(queue, routing_keys)
        subscription = InMemorySubscription(
            self._broker, declared, handler, prefetch or self._prefetch
        )
        self._subscriptions.append(subscription)
        return subscription

    async def listen(self, routing_keys: Sequence[str], handler: Handler) -> InMemorySubscription:
        if self._closed:
            raise BusUnavailable("the bus is closed")
        name = f"aftomato.listen.{uuid.uuid4().hex}"
        declared = self._broker.declare(name, routing_keys)
        subscription = InMemorySubscription(
            self._broker,
            declared,
            handler,
            self._prefetch,
            on_stop=lambda: self._broker.forget(name),
        )
        self._subscriptions.append(subscription)
        return subscription

    async def close(self) -> None:
        self._closed = True
        for subscription in self._subscriptions:
            await subscription.abandon()
        self._subscriptions.clear()
