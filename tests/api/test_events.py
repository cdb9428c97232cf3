"""The event hub: every replica hears every build.* message; a slow client is let go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from pydantic import SecretStr

from aftomato.api.events import EventHub
from aftomato.common.bus import Bus
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.messages import BuildQueued, ScriptsUpdated
from aftomato.common.settings import AmqpSettings
from tests.support.waiting import eventually


def queued(number: int) -> BuildQueued:
    return BuildQueued(
        build_id=f"{number:032x}", project_key="team/app", branch="main", reason="busy"
    )


@asynccontextmanager
async def running(hub: EventHub) -> AsyncIterator[EventHub]:
    stopping = asyncio.Event()
    task = asyncio.create_task(hub.run(stopping))
    await eventually(hub.ready, what="the hub listening")
    try:
        yield hub
    finally:
        stopping.set()
        await task


@pytest.mark.integration
async def test_each_replica_hears_every_message(amqp_url: str) -> None:
    settings = AmqpSettings(url=SecretStr(amqp_url))
    async with AsyncExitStack() as stack:
        buses: list[Bus] = []
        for _ in range(2):
            bus = await RabbitMqBus.connect(settings)
            stack.push_async_callback(bus.close)
            buses.append(bus)
        first = await stack.enter_async_context(running(EventHub(buses[0])))
        second = await stack.enter_async_context(running(EventHub(buses[1])))
        with first.subscribe() as one, second.subscribe() as other:
            message = queued(1)
            await buses[0].publish(message)
            async with asyncio.timeout(10):
                heard = [await one.get(), await other.get()]
    assert [(e.kind, e.event_id) for e in heard if e] == [("build.queued", message.event_id)] * 2


async def test_a_client_too_far_behind_is_let_go_and_others_keep_going() -> None:
    bus = InMemoryBus(InMemoryBroker(service_queues={}))
    nudged: list[bool] = []
    hub = EventHub(bus, on_scripts_updated=lambda: nudged.append(True), client_backlog=2)
    async with running(hub):
        with hub.subscribe() as slow, hub.subscribe() as quick:
            for number in range(3):
                await bus.publish(queued(number))
                await eventually(lambda: quick.qsize() == 1, what=f"event {number}")
                assert (await quick.get()) is not None
            assert await slow.get() is None  # its stream ends; it reconnects
            await bus.publish(ScriptsUpdated())
            await eventually(lambda: nudged, what="the scripts poll nudged")
            assert quick.empty()
    await bus.close()
