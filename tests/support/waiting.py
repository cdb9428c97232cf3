"""Waiting for asynchronous effects without sleeping blindly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], T | None], *, within: float = 10.0, interval: float = 0.02, what: str = "it"
) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``within``."""
    return await eventually_async(_awaitable(probe), within=within, interval=interval, what=what)


async def eventually_async(
    probe: Callable[[], Awaitable[T | None]],
    *,
    within: float = 10.0,
    interval: float = 0.02,
    what: str = "it",
) -> T:
    """Like :func:`eventually` for a probe that must be awaited (a query to a server)."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.1f}s waiting for {what}")
        await asyncio.sleep(interval)


def _awaitable(probe: Callable[[], T | None]) -> Callable[[], Awaitable[T | None]]:
    async def call() -> T | None:
        return probe()

    return call


async def settled(probe: Callable[[], T], *, quiet: float = 0.3, within: float = 10.0) -> T:
    """Wait until ``probe()`` stops changing for ``quiet`` seconds, and return its value."""
    deadline = time.monotonic() + within
    last = probe()
    stable_since = time.monotonic()
    while time.monotonic() - stable_since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"did not settle within {within:.1f}s: last {last!r}")
        await asyncio.sleep(0.02)
        current = probe()
        if current != last:
            last, stable_since = current, time.monotonic()
    return last
