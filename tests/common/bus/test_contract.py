"""One contract, two buses: what every service may rely on, on RabbitMQ and in-process alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from aftomato.common.bus import BusUnavailable, Delivery, Reject, Retry, Unroutable
from aftomato.common.messages import BuildQueued, Message
from tests.common.bus.backends import DELIVERY_LIMIT, Backend, MemoryBackend, RabbitMqBackend
from tests.support.waiting import eventually, eventually_async, settled


@pytest.fixture(params=["memory", pytest.param("rabbitmq", marks=pytest.mark.integration)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with AsyncExitStack() as stack:
        if request.param == "memory":
            yield MemoryBackend(stack)
        else:
            yield RabbitMqBackend(stack, request.getfixturevalue("amqp_url"))


def queued(number: int = 1, branch: str = "main") -> BuildQueued:
    return BuildQueued(
        build_id=f"b{number}", project_key="owner/repo", branch=branch, reason="busy"
    )


class Recorder:
    """A handler that records every delivery and does what the test tells it to."""

    def __init__(self, behaviour: str = "ack", block: asyncio.Event | None = None) -> None:
        self.behaviour = behaviour
        self.block = block
        self.deliveries: list[Delivery] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.block is not None:
                await self.block.wait()
            if self.behaviour == "retry-once" and delivery.delivery_count == 1:
                raise Retry("not yet")
            if self.behaviour == "reject":
                raise Reject("never")
            if self.behaviour == "fail":
                raise RuntimeError("poison")
        finally:
            self.in_flight -= 1

    def messages(self) -> list[Message]:
        return [delivery.message for delivery in self.deliveries]


async def test_a_confirmed_publish_reaches_the_consumer_once(backend: Backend) -> None:
    bus = await backend.connect()
    recorder = Recorder()
    await bus.subscribe("scheduler", ["build.queued"], recorder)
    await bus.publish(queued(1))
    await eventually(lambda: recorder.deliveries, what="the delivery")
    assert await settled(lambda: len(recorder.deliveries)) == 1
    (delivery,) = recorder.deliveries
    assert isinstance(delivery.message, BuildQueued)
    assert delivery.message.build_id == "b1"
    assert delivery.routing_key == "build.queued"
    assert not delivery.redelivered
    assert bus.connected


async def test_messages_keep_their_event_id(backend: Backend) -> None:
    bus = await backend.connect()
    recorder = Recorder()
    await bus.subscribe("watcher", ["build.*"], recorder)
    sent = queued(2)
    await bus.publish(sent)
    await eventually(lambda: recorder.deliveries)
    assert recorder.deliveries[0].message == sent


async def test_a_consumer_that_dies_before_ack_gets_the_message_redelivered(
    backend: Backend,
) -> None:
    publisher = await backend.connect()
    dying = await backend.connect()
    never = asyncio.Event()
    first = Recorder(block=never)
    await dying.subscribe("scheduler", ["build.queued"], first)
    await publisher.publish(queued(3))
    await eventually(lambda: first.deliveries, what="the first delivery")
    await dying.close()

    survivor = await backend.connect()
    second = Recorder()
    await survivor.subscribe("scheduler", ["build.queued"], second)
    await eventually(lambda: second.deliveries, what="the redelivery")
    assert second.deliveries[0].message.event_id == first.deliveries[0].message.event_id
    assert second.deliveries[0].redelivered


async def test_a_retry_delivers_again(backend: Backend) -> None:
    bus = await backend.connect()
    recorder = Recorder("retry-once")
    await bus.subscribe("scheduler", ["build.queued"], recorder)
    await bus.publish(queued(4))
    await eventually(lambda: len(recorder.deliveries) >= 2, what="the second delivery")
    assert [d.delivery_count for d in recorder.deliveries] == [1, 2]
    assert await settled(lambda: len(recorder.deliveries)) == 2
    assert await backend.dead_letters() == []


async def test_a_rejected_message_goes_to_the_dead_letter_queue_at_once(backend: Backend) -> None:
    bus = await backend.connect()
    recorder = Recorder("reject")
    await bus.subscribe("scheduler", ["build.queued"], recorder)
    await bus.publish(queued(5))
    await eventually_async(backend.dead_letters, what="the dead letter")
    assert await backend.dead_letters() == ["build.queued"]
    assert len(recorder.deliveries) == 1


async def test_a_poison_message_is_dead_lettered_after_the_delivery_limit(
    backend: Backend,
) -> None:
    bus = await backend.connect()
    recorder = Recorder("fail")
    await bus.subscribe("scheduler", ["build.queued"], recorder)
    await bus.publish(queued(6))
    await eventually_async(backend.dead_letters, what="the dead letter")
    assert len(recorder.deliveries) == DELIVERY_LIMIT
    assert await settled(lambda: len(recorder.deliveries)) == DELIVERY_LIMIT


async def test_an_unroutable_publish_raises_at_the_publisher(backend: Backend) -> None:
    bus = await backend.connect()
    with pytest.raises(Unroutable):
        await bus.publish(queued(7))
    assert bus.connected


async def test_each_bound_queue_gets_its_own_copy(backend: Backend) -> None:
    bus = await backend.connect()
    scheduler, watcher = Recorder(), Recorder()
    await bus.subscribe("scheduler", ["build.queued"], scheduler)
    await bus.subscribe("watcher", ["build.#"], watcher)
    await bus.publish(queued(8))
    await eventually(lambda: scheduler.deliveries and watcher.deliveries)


async def test_consumers_of_one_queue_share_its_messages(backend: Backend) -> None:
    first_bus, second_bus = await backend.connect(), await backend.connect()
    first, second = Recorder(), Recorder()
    await first_bus.subscribe("scheduler", ["build.queued"], first, prefetch=1)
    await second_bus.subscribe("scheduler", ["build.queued"], second, prefetch=1)
    for number in range(20):
        await first_bus.publish(queued(number))
    await eventually(lambda: len(first.deliveries) + len(second.deliveries) == 20)
    ids = {m.event_id for m in first.messages()} | {m.event_id for m in second.messages()}
    assert len(ids) == 20


async def test_prefetch_bounds_the_messages_in_flight(backend: Backend) -> None:
    bus = await backend.connect()
    release = asyncio.Event()
    recorder = Recorder(block=release)
    await bus.subscribe("scheduler", ["build.queued"], recorder, prefetch=2)
    for number in range(6):
        await bus.publish(queued(number))
    await eventually(lambda: len(recorder.deliveries) == 2)
    assert await settled(lambda: len(recorder.deliveries)) == 2
    release.set()
    await eventually(lambda: len(recorder.deliveries) == 6)
    assert recorder.most_in_flight == 2


async def test_cancel_lets_handlers_in_flight_finish_and_acks_them(backend: Backend) -> None:
    bus = await backend.connect()
    release = asyncio.Event()
    recorder = Recorder(block=release)
    subscription = await bus.subscribe("scheduler", ["build.queued"], recorder)
    await bus.publish(queued(9))
    await eventually(lambda: recorder.deliveries)
    draining = asyncio.create_task(subscription.cancel(drain_timeout=10))
    await asyncio.sleep(0.1)
    assert not draining.done()
    release.set()
    await draining

    later = Recorder()
    await (await backend.connect()).subscribe("scheduler", ["build.queued"], later)
    assert await settled(lambda: len(later.deliveries)) == 0


async def test_a_closed_bus_refuses_to_publish(backend: Backend) -> None:
    bus = await backend.connect()
    await bus.subscribe("scheduler", ["build.queued"], Recorder())
    await bus.close()
    assert not bus.connected
    with pytest.raises(BusUnavailable):
        await bus.publish(queued(10))


async def test_listeners_each_get_a_copy_beside_the_work_queue(backend: Backend) -> None:
    bus, other_bus = await backend.connect(), await backend.connect()
    worker, first, second = Recorder(), Recorder(), Recorder()
    await bus.subscribe("watcher", ["build.#"], worker)
    await bus.listen(["build.*"], first)
    await other_bus.listen(["build.*"], second)
    await bus.publish(queued(11))
    await eventually(lambda: worker.deliveries and first.deliveries and second.deliveries)
    assert [m.event_id for m in first.messages()] == [m.event_id for m in second.messages()]


async def test_a_cancelled_listener_leaves_nothing_bound(backend: Backend) -> None:
    bus = await backend.connect()
    listener = Recorder()
    subscription = await bus.listen(["build.queued"], listener)
    await bus.publish(queued(12))
    await eventually(lambda: listener.deliveries)
    await subscription.cancel(drain_timeout=5)
    with pytest.raises(Unroutable):
        await bus.publish(queued(13))
    assert len(listener.deliveries) == 1
