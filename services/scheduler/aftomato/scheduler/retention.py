"""How long the scheduler remembers finished builds: their notes hang on a shared lease.

A finished build's note (``builds/<id>`` saying ``done``) is what makes a late redelivery of its
request harmless. Kept forever, the notes would grow etcd without end, so they are written on a
lease that outlives the retention period by at most ``renew_seconds``: each replica grants one
such lease per ``renew_seconds`` and the notes written meanwhile expire together.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aftomato.common.coordination import CoordinationStore, LeaseNotFound

T = TypeVar("T")

RENEW_SECONDS = 3600


class Retention:
    def __init__(
        self,
        store: CoordinationStore,
        kept_seconds: int,
        *,
        renew_seconds: int = RENEW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._kept_seconds = kept_seconds
        self._renew_seconds = renew_seconds
        self._clock = clock
        self._lease: int | None = None
        self._granted_at = 0.0

    async def writing(self, write: Callable[[int], Awaitable[T]]) -> T:
        """``write(lease)`` on the current retention lease; if that lease is gone (expired, or
        etcd restored from a backup), once more on a new one."""
        lease = await self._current()
        try:
            return await write(lease)
        except LeaseNotFound:
            self._lease = None
            return await write(await self._current())

    async def _current(self) -> int:
        if self._lease is None or self._clock() - self._granted_at >= self._renew_seconds:
            self._lease = await self._store.grant_lease(self._kept_seconds + self._renew_seconds)
            self._granted_at = self._clock()
        return self._lease
