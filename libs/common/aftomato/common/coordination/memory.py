"""The coordination store inside one process, for ``aftomato up`` and unit tests.

Every method runs without yielding to the event loop between its reads and writes, which is what
makes a transaction atomic here. Leases expire lazily: each call first drops the keys of leases
whose time is up, so expiry is observed exactly as a later etcd read would observe it.
"""

from __future__ import annotations

import itertools
import operator
import time
from collections.abc import Callable, Sequence
from typing import Any

from aftomato.common.coordination.store import (
    Compare,
    Delete,
    KeyValue,
    LeaseNotFound,
    Operation,
    Outcome,
    Put,
    Snapshot,
)

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}


class InMemoryStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._keys: dict[str, KeyValue] = {}
        self._revision = 0
        self._lease_ids = itertools.count(1)
        self._lease_deadlines: dict[int, float] = {}

    async def get(self, key: str) -> KeyValue | None:
        self._expire()
        return self._keys.get(key)

    async def get_prefix(self, prefix: str) -> list[KeyValue]:
        self._expire()
        return self._under(prefix)

    async def keys(self, prefix: str) -> list[str]:
        self._expire()
        return [kv.key for kv in self._under(prefix)]

    async def read(self, keys: Sequence[str] = (), prefixes: Sequence[str] = ()) -> Snapshot:
        return (await self.transact([], [], keys=keys, prefixes=prefixes)).seen

    async def transaction(
        self,
        compares: list[Compare],
        success: list[Operation],
        failure: list[Operation] | None = None,
    ) -> bool:
        return (await self.transact(compares, success, failure)).succeeded

    async def transact(
        self,
        compares: list[Compare],
        success: list[Operation],
        failure: list[Operation] | None = None,
        *,
        keys: Sequence[str] = (),
        prefixes: Sequence[str] = (),
    ) -> Outcome:
        self._expire()
        holds = all(self._holds(compare) for compare in compares)
        operations = success if holds else failure or []
        for op in operations:
            if isinstance(op, Put) and op.lease and op.lease not in self._lease_deadlines:
                raise LeaseNotFound(f"lease {op.lease} does not exist")
        if operations:
            self._revision += 1
            for op in operations:
                self._apply(op)
        seen = Snapshot(
            {key: self._keys.get(key) for key in keys},
            {prefix: self._under(prefix) for prefix in prefixes},
        )
        return Outcome(holds, seen)

    async def grant_lease(self, ttl_seconds: int) -> int:
        lease = next(self._lease_ids)
        self._lease_deadlines[lease] = self._clock() + ttl_seconds
        return lease

    async def revoke_lease(self, lease: int) -> None:
        self._expire()
        if self._lease_deadlines.pop(lease, None) is not None:
            self._drop_keys_of({lease})

    def _under(self, prefix: str) -> list[KeyValue]:
        return [kv for key, kv in sorted(self._keys.items()) if key.startswith(prefix)]

    def _holds(self, compare: Compare) -> bool:
        if not compare.prefix:
            return self._holds_for(compare, self._keys.get(compare.key))
        under = self._under(compare.key)
        if not under:  # as etcd: an empty range is one missing key, whose value never compares
            return compare.target != "value" and self._holds_for(compare, None)
        return all(self._holds_for(compare, kv) for kv in under)

    def _holds_for(self, compare: Compare, kv: KeyValue | None) -> bool:
        actual: int | bytes
        if compare.target == "value":
            actual = kv.value if kv else b""
        elif compare.target == "create":
            actual = kv.create_revision if kv else 0
        else:
            actual = kv.mod_revision if kv else 0
        return _OPERATORS[compare.operator](actual, compare.operand)

    def _apply(self, operation: Operation) -> None:
        if isinstance(operation, Delete):
            doomed = [
                key
                for key in self._keys
                if key == operation.key or (operation.prefix and key.startswith(operation.key))
            ]
            for key in doomed:
                del self._keys[key]
            return
        previous = self._keys.get(operation.key)
        self._keys[operation.key] = KeyValue(
            key=operation.key,
            value=operation.value,
            create_revision=previous.create_revision if previous else self._revision,
            mod_revision=self._revision,
            lease=operation.lease,
        )

    def _expire(self) -> None:
        now = self._clock()
        expired = {lease for lease, deadline in self._lease_deadlines.items() if deadline <= now}
        if expired:
            for lease in expired:
                del self._lease_deadlines[lease]
            self._drop_keys_of(expired)

    def _drop_keys_of(self, leases: set[int]) -> None:
        self._revision += 1
        for key in [key for key, kv in self._keys.items() if kv.lease in leases]:
            del self._keys[key]
