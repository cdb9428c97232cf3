"""The broker between rounds: how much the scheduler has left to do, and emptying the queue
nobody consumes here (the watcher's, which gets every ``build.*`` the scheduler publishes)."""

from __future__ import annotations

import asyncio
import time

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection

from bench._sched_pods import PodClock

SCHEDULER_QUEUE = "aftomato.scheduler"
WATCHER_QUEUE = "aftomato.watcher"
SETTLE_TIMEOUT = 60.0


class Broker:
    def __init__(self, connection: AbstractConnection, channel: AbstractChannel) -> None:
        self._connection = connection
        self._channel = channel

    @classmethod
    async def connect(cls, url: str) -> Broker:
        connection = await aio_pika.connect(url)
        return cls(connection, await connection.channel())

    async def depth(self, queue: str) -> int:
        """Messages ready in ``queue`` (not those delivered and not yet acknowledged)."""
        declared = await self._channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)

    async def settle(self, clock: PodClock, pause: float) -> None:
        """Wait until every build has ended and the scheduler's queue is empty, then ``pause``
        seconds more (for what it holds unacknowledged); then empty the watcher's queue."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while clock.running or await self.depth(SCHEDULER_QUEUE):
            if time.monotonic() > deadline:
                print(f"  (not settled after {SETTLE_TIMEOUT:.0f} s: going on)")
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(pause)
        await (await self._channel.get_queue(WATCHER_QUEUE)).purge()

    async def close(self) -> None:
        await self._connection.close()
