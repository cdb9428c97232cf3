"""``asyncio.timeout`` for many concurrent waits of one length, with one timer per tick.

``asyncio.timeout`` schedules a timer for each wait, and a wait that ends in time cancels it. At
thousands of waits a second (a publish each, waiting for its confirm) the loop's timer heap, whose
entries compare in Python, then holds a cancelled timer for every wait of the last few seconds;
keeping it cost about 2% of a webhook's instructions in ingest (``bench/ingest_instructions.py``).
Here a wait joins the tick its deadline falls in, and one timer per tick expires the waits of that
tick still running, the way ``asyncio.Timeout`` does: the cancellation, the ``TimeoutError`` and a
cancellation from outside behave as with ``asyncio.timeout``. A deadline is late by at most one
tick.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType


class SharedTimeouts:
    """Waits of ``seconds`` each: ``async with timeouts(): ...`` raises ``TimeoutError`` once
    ``seconds`` (plus at most ``tick``) have passed. The waits run in one event loop at a time;
    when it is another (a new ``asyncio.run``), the ticks of the last one are forgotten."""

    def __init__(self, seconds: float, *, tick: float = 0.05) -> None:
        if seconds <= 0 or tick <= 0:
            raise ValueError(f"seconds ({seconds}) and tick ({tick}) must be positive")
        self.seconds = seconds
        self.tick = tick
        self._waiting: dict[int, set[SharedTimeout]] = {}
        """The waits still running, by the tick their deadline falls in."""
        self._loop: asyncio.AbstractEventLoop | None = None
        """Whose timers expire the ticks."""

    def __call__(self) -> SharedTimeout:
        return SharedTimeout(self)

    def enroll(self, wait: SharedTimeout) -> set[SharedTimeout]:
        """Add an entered ``wait`` to its tick's waits, which it leaves when it exits."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # the last loop's timers will never fire
            self._loop, self._waiting = loop, {}
        tick = math.ceil((loop.time() + self.seconds) / self.tick)
        waits = self._waiting.get(tick)
        if waits is None:
            waits = self._waiting[tick] = set()
            loop.call_at(tick * self.tick, self._expire, tick)
        waits.add(wait)
        return waits

    def _expire(self, tick: int) -> None:
        for wait in self._waiting.pop(tick):
            wait.expire()


class SharedTimeout:
    """One wait of :class:`SharedTimeouts` (made by calling it), with ``asyncio.Timeout``'s
    protocol: expiring cancels the task, and leaving turns that cancellation, and only that one,
    into ``TimeoutError`` (``Task.cancelling`` tells it from a cancellation from outside)."""

    __slots__ = ("_cancelling", "_expired", "_task", "_timeouts", "_waits")

    def __init__(self, timeouts: SharedTimeouts) -> None:
        self._timeouts = timeouts
        self._expired = False

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a timeout is for a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._waits = self._timeouts.enroll(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._waits.discard(self)
        if (
            self._expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc

    def expire(self) -> None:
        """The deadline has passed: cancel the task waiting (once)."""
        if not self._expired:
            self._expired = True
            self._task.cancel()
