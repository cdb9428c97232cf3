"""``SharedTimeouts``: ``asyncio.timeout`` for many waits of one length, one timer per tick."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from aftomato.common.timeouts import SharedTimeouts

SECONDS = 0.2
TICK = 0.05


async def test_a_wait_that_ends_in_time_returns_what_it_returns() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)

    async with timeouts():
        result = await asyncio.sleep(0.01, result="done")

    assert result == "done"


async def test_an_overdue_wait_raises_timeout_error_after_seconds_and_at_most_a_tick_more() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)
    loop = asyncio.get_running_loop()
    started = loop.time()

    with pytest.raises(TimeoutError):
        async with timeouts():
            await asyncio.sleep(10)

    waited = loop.time() - started
    assert SECONDS <= waited < SECONDS + TICK + 0.1  # scheduling slack on a busy machine


async def test_waits_end_or_expire_each_on_its_own() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)

    async def wait(seconds: float) -> str:
        try:
            async with timeouts():
                await asyncio.sleep(seconds)
        except TimeoutError:
            return "expired"
        return "ended"

    lengths = [0.0, 0.05, 10, 0.1, 10, 0.0] * 50
    outcomes = await asyncio.gather(*(wait(length) for length in lengths))

    assert outcomes == ["expired" if length == 10 else "ended" for length in lengths]


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)

    async def wait() -> None:
        async with timeouts():
            await asyncio.sleep(10)

    task = asyncio.create_task(wait())
    await asyncio.sleep(0.01)
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_error_inside_the_wait_goes_through_unchanged() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)

    with pytest.raises(KeyError, match="lost"):
        async with timeouts():
            raise KeyError("lost")


async def test_a_wait_that_ended_is_left_alone_when_its_tick_expires() -> None:
    timeouts = SharedTimeouts(SECONDS, tick=TICK)
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    async with timeouts():
        pass

    # past the deadline the ended wait had: the task is not cancelled, the timer raises nothing
    await asyncio.sleep(SECONDS + 2 * TICK)

    assert errors == []


async def test_waits_in_the_same_tick_share_one_timer() -> None:
    timeouts = SharedTimeouts(60, tick=60)
    loop = asyncio.get_running_loop()
    timers: list[float] = []
    call_at = loop.call_at

    def counting_call_at(
        when: float, callback: Callable[..., object], *args: object, **kwargs: Any
    ) -> asyncio.TimerHandle:
        if getattr(callback, "__self__", None) is timeouts:
            timers.append(when)
        return call_at(when, callback, *args, **kwargs)

    started = asyncio.Event()

    async def wait() -> None:
        async with timeouts():
            await started.wait()

    loop.call_at = counting_call_at  # type: ignore[method-assign]
    try:
        waits = [asyncio.create_task(wait()) for _ in range(100)]
        await asyncio.sleep(0.01)
        started.set()
        await asyncio.gather(*waits)
    finally:
        del loop.call_at

    assert 1 <= len(timers) <= 2  # two when the waits straddle the end of a tick


def test_timeouts_expire_in_one_event_loop_after_another() -> None:
    # a tick of a second: both loops' waits most likely fall in the same one, whose timer
    # belongs to the first loop and dies with it
    timeouts = SharedTimeouts(0.1, tick=1.0)

    async def left_behind() -> None:
        async with timeouts():
            pass

    async def overdue() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with contextlib.suppress(TimeoutError):
            async with timeouts():
                await asyncio.sleep(10)
        return loop.time() - started

    asyncio.run(left_behind())
    waited = asyncio.run(asyncio.wait_for(overdue(), timeout=10))

    assert 0.1 <= waited < 3


def test_lengths_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SharedTimeouts(0)
    with pytest.raises(ValueError, match="positive"):
        SharedTimeouts(5, tick=0)
