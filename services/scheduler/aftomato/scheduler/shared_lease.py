"""A lease that many writes share, replaced by a new one every ``renew_seconds``.

Granting a lease per key is a round trip per key; instead, each replica grants one lease per
``renew_seconds`` for ``covers_seconds + renew_seconds``, so every key written on it lives at
least ``covers_seconds`` and at most ``renew_seconds`` longer. Keys that must go sooner are
deleted explicitly: the lease only bounds how long a key outlives everyone who would delete it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aftomato.common.coordination import CoordinationStore, LeaseNotFound

T = TypeVar("T")


class SharedLease:
    def __init__(
        self,
        store: CoordinationStore,
        covers_seconds: int,
        *,
        renew_seconds: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._covers_seconds = covers_seconds
        self._renew_seconds = renew_seconds
        self._clock = clock
        self._lease: int | None = None
        self._granted_at = 0.0
        self._granting = asyncio.Lock()

    async def writing(self, write: Callable[[int], Awaitable[T]]) -> T:
        """``write(lease)`` on the current lease; if that lease is gone (revoked, or etcd
        restored from a backup), once more on a new one."""
        lease = await self.current()
        try:
            return await write(lease)
        except LeaseNotFound:
            if self._lease == lease:
                self._lease = None
            return await write(await self.current())

    async def current(self) -> int:
        lease = self._fresh()
        if lease is None:
            async with self._granting:  # one grant for all the writes that wait for it
                lease = self._fresh()
                if lease is None:
                    asked_at = self._clock()  # its time runs from before the answer comes
                    ttl = self._covers_seconds + self._renew_seconds
                    lease = await self._store.grant_lease(ttl)
                    self._lease, self._granted_at = lease, asked_at
        return lease

    def _fresh(self) -> int | None:
        if self._lease is None or self._clock() - self._granted_at >= self._renew_seconds:
            return None
        return self._lease


LOCK_LEASE_RENEW_SECONDS = 60
"""How long one lock lease is handed to the builds promoted meanwhile: a lock whose release never
comes outlives its build's timeout and grace by at most this."""


class SharedLeases:
    """A :class:`SharedLease` per length: builds of different timeouts need different leases."""

    def __init__(
        self,
        store: CoordinationStore,
        *,
        renew_seconds: int = LOCK_LEASE_RENEW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._renew_seconds = renew_seconds
        self._clock = clock
        self._leases: dict[int, SharedLease] = {}

    def covering(self, seconds: int) -> SharedLease:
        lease = self._leases.get(seconds)
        if lease is None:
            lease = SharedLease(
                self._store, seconds, renew_seconds=self._renew_seconds, clock=self._clock
            )
            self._leases[seconds] = lease
        return lease
