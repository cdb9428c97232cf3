"""Waiting for asynchronous effects without sleeping blindly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], T | Awaitable[T]],
    *,
    timeout: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")
        await asyncio.sleep(interval)


async def settled(probe: Callable[[], T], *, quiet: float = 0.3, timeout: float = 10.0) -> T:
    """Wait until ``probe()`` stops changing for ``quiet`` seconds, and return its value."""
    deadline = time.monotonic() + timeout
    last = probe()
    stable_since = time.monotonic()
    while time.monotonic() - stable_since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"did not settle within {timeout:.1f}s: last {last!r}")
        await asyncio.sleep(0.02)
        current = probe()
        if current != last:
            last, stable_since = current, time.monotonic()
    return last
