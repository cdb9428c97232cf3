"""The bus on RabbitMQ (aio-pika): robust connection, confirmed mandatory publishes, quorum queues.

The connection reconnects by itself and restores channels, queues, bindings and consumers; while
it is down, publishes fail fast with ``BusUnavailable`` (the caller still owns the message) and
handlers in flight lose their delivery, which the broker redelivers. One channel publishes; each
subscription has its own channel, so its prefetch and its closing touch nothing else.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from aftomato.common.bus.dispatch import Outcome, decode, run_handler
from aftomato.common.bus.errors import BusUnavailable, Unroutable
from aftomato.common.bus.protocol import Delivery, Handler
from aftomato.common.bus.topology import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_QUEUE,
    DEAD_LETTER_QUEUE_ARGUMENTS,
    EXCHANGE,
    SERVICE_QUEUES,
    queue_arguments,
)
from aftomato.common.logging import get_logger
from aftomato.common.messages import Message
from aftomato.common.settings import AmqpSettings
from aftomato.common.timeouts import SharedTimeouts

log = get_logger(__name__)

_CONNECTION_ERRORS = (
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
    RuntimeError,  # aiormq raises it for writes on a transport that is gone
)


async def declare_topology(
    channel: AbstractChannel, service_queues: Mapping[str, Sequence[str]], delivery_limit: int
) -> AbstractExchange:
    """Declare the exchanges, the dead-letter queue and the service queues; safe to repeat."""
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    dlx = await channel.declare_exchange(
        DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    dead_letters = await channel.declare_queue(
        DEAD_LETTER_QUEUE, durable=True, arguments=dict(DEAD_LETTER_QUEUE_ARGUMENTS)
    )
    await dead_letters.bind(dlx, "#")
    for name, routing_keys in service_queues.items():
        queue = await channel.declare_queue(
            name, durable=True, arguments=queue_arguments(delivery_limit)
        )
        for routing_key in routing_keys:
            await queue.bind(exchange, routing_key)
    return exchange


def message_properties(message: Message) -> aiormq.spec.Basic.Properties:
    """The AMQP properties of ``message``: exactly those of ``aio_pika.Message(body,
    content_type="application/json", delivery_mode=PERSISTENT, message_id=event_id,
    type=routing_key, timestamp=occurred_at)``, built without that object, which cost ingest
    about 5% of a webhook's instructions (callgrind)."""
    return aiormq.spec.Basic.Properties(
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={},
        message_id=message.event_id,
        message_type=message.routing_key,
        priority=0,
        timestamp=message.occurred_at,
    )


def message_body(message: Message) -> bytes:
    """``message.model_dump_json().encode()``: the same bytes, without that method's decoding
    them to ``str`` to be encoded back (a quarter of the instructions, callgrind)."""
    return message.__pydantic_serializer__.to_json(message)


def _delivery_count(incoming: AbstractIncomingMessage) -> int:
    returned = (incoming.headers or {}).get("x-delivery-count", 0)
    return 1 + (returned if isinstance(returned, int) else 0)


class RabbitMqSubscription:
    def __init__(self, channel: AbstractChannel, queue: AbstractQueue, handler: Handler) -> None:
        self._channel = channel
        self._queue = queue
        self._handler = handler
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._consumer_tag: str | None = None

    async def start(self) -> None:
        self._consumer_tag = await self._queue.consume(self._on_message)

    async def _on_message(self, incoming: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            outcome = await self._handle(incoming)
            await self._settle(incoming, outcome)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _handle(self, incoming: AbstractIncomingMessage) -> Outcome:
        routing_key = incoming.type or incoming.routing_key or ""
        message = decode(routing_key, incoming.body)
        if message is None:
            return Outcome.DEAD_LETTER
        delivery = Delivery(message, routing_key, _delivery_count(incoming))
        return await run_handler(self._handler, delivery)

    async def _settle(self, incoming: AbstractIncomingMessage, outcome: Outcome) -> None:
        try:
            if outcome is Outcome.ACK:
                await incoming.ack()
            else:
                await incoming.nack(requeue=outcome is Outcome.REQUEUE)
        except _CONNECTION_ERRORS as error:
            # The channel this delivery came on is gone; the broker redelivers the message.
            log.warning("could not settle a delivery; it will be redelivered", error=repr(error))

    async def cancel(self, drain_timeout: float = 30.0) -> None:
        if self._consumer_tag is not None and not self._channel.is_closed:
            try:
                await self._queue.cancel(self._consumer_tag)
            except _CONNECTION_ERRORS as error:
                log.warning("could not cancel the consumer", error=repr(error))
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=drain_timeout)
        # Handlers still running past the drain are stopped (their messages come back), so none
        # outlives the clients it uses, which the service closes next.
        late = set(self._in_flight)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
        if not self._channel.is_closed:
            await self._channel.close()


class RabbitMqBus:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        channel: AbstractChannel,
        exchange: AbstractExchange,
        settings: AmqpSettings,
    ) -> None:
        self._connection = connection
        self._channel = channel
        self._exchange = exchange
        self._settings = settings
        self._confirm_timeouts = SharedTimeouts(settings.publish_timeout)
        """Every publish waits for its confirm this long: one timer a tick, not one a publish."""

    @classmethod
    async def connect(
        cls,
        settings: AmqpSettings,
        *,
        service_queues: Mapping[str, Sequence[str]] = SERVICE_QUEUES,
    ) -> RabbitMqBus:
        """Connect, open the publishing channel with confirms, and declare the topology."""
        connection = await aio_pika.connect_robust(
            settings.url.get_secret_value(), client_properties={"connection_name": "aftomato"}
        )
        try:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await declare_topology(channel, service_queues, settings.delivery_limit)
        except BaseException:
            await connection.close()
            raise
        log.info("connected to RabbitMQ", url=settings.safe_url())
        return cls(connection, channel, exchange, settings)

    @property
    def connected(self) -> bool:
        return self._connection.connected.is_set() and not self._channel.is_closed

    async def publish(self, message: Message) -> None:
        body = message_body(message)
        properties = message_properties(message)
        if not self.connected:
            raise BusUnavailable("not connected to RabbitMQ")
        try:
            async with self._confirm_timeouts():
                # What aio_pika's Exchange.publish does, given the properties directly.
                channel = await self._channel.get_underlay_channel()
                await channel.basic_publish(
                    body,
                    exchange=self._exchange.name,
                    routing_key=message.routing_key,
                    properties=properties,
                    mandatory=True,
                )
        except aio_pika.exceptions.PublishError as error:
            raise Unroutable(f"no queue is bound for {message.routing_key!r}") from error
        except aio_pika.exceptions.DeliveryError as error:
            raise BusUnavailable(f"the broker refused the message: {error}") from error
        except TimeoutError as error:
            raise BusUnavailable("the broker did not confirm in time") from error
        except _CONNECTION_ERRORS as error:
            raise BusUnavailable(f"lost the connection to RabbitMQ: {error!r}") from error

    async def subscribe(
        self,
        queue: str,
        routing_keys: Sequence[str],
        handler: Handler,
        *,
        prefetch: int | None = None,
    ) -> RabbitMqSubscription:
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch or self._settings.prefetch)
        arguments = (
            DEAD_LETTER_QUEUE_ARGUMENTS
            if queue == DEAD_LETTER_QUEUE
            else queue_arguments(self._settings.delivery_limit)
        )
        declared = await channel.declare_queue(queue, durable=True, arguments=dict(arguments))
        for routing_key in routing_keys:
            await declared.bind(EXCHANGE, routing_key)
        subscription = RabbitMqSubscription(channel, declared, handler)
        await subscription.start()
        return subscription

    async def listen(self, routing_keys: Sequence[str], handler: Handler) -> RabbitMqSubscription:
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self._settings.prefetch)
        # Our own name rather than a server-named one: the robust connection re-declares the
        # queue after a reconnect, and names starting with "amq." cannot be declared by clients.
        name = f"aftomato.listen.{uuid.uuid4().hex}"
        declared = await channel.declare_queue(name, exclusive=True, auto_delete=True)
        for routing_key in routing_keys:
            await declared.bind(EXCHANGE, routing_key)
        subscription = RabbitMqSubscription(channel, declared, handler)
        await subscription.start()
        return subscription

    async def close(self) -> None:
        await self._connection.close()
