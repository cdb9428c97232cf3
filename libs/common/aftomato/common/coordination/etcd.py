"""The coordination store on etcd (aetcd, asyncio). Errors reaching etcd become
:class:`CoordinationUnavailable`, so handlers retry instead of crashing."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aetcd
import aetcd.exceptions

from aftomato.common.coordination.store import (
    Compare,
    CoordinationUnavailable,
    Delete,
    KeyValue,
    LeaseNotFound,
    Operation,
    Outcome,
    Snapshot,
)
from aftomato.common.settings import EtcdSettings

T = TypeVar("T")

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


class EtcdStore:
    def __init__(self, client: aetcd.Client) -> None:
        self._client = client

    @classmethod
    async def connect(cls, settings: EtcdSettings, *, request_seconds: int = 5) -> EtcdStore:
        """A client for one of the endpoints (chosen at random, so replicas spread out)."""
        host, _, port = random.choice(settings.endpoints).rpartition(":")  # noqa: S311 - load spreading, not secrecy
        client = aetcd.Client(
            host=host or "localhost", port=int(port or 2379), timeout=request_seconds
        )
        await _call(client.connect())
        return cls(client)

    async def close(self) -> None:
        await self._client.close()

    async def get(self, key: str) -> KeyValue | None:
        found = await _call(self._client.get(key.encode()))
        return None if found is None else _key_value(found)

    async def get_prefix(self, prefix: str) -> list[KeyValue]:
        result = await _call(self._client.get_prefix(prefix.encode(), sort_target="key"))
        return [_key_value(kv) for kv in result]

    async def keys(self, prefix: str) -> list[str]:
        result = await _call(
            self._client.get_prefix(prefix.encode(), sort_target="key", keys_only=True)
        )
        return [kv.key.decode() for kv in result]

    async def read(self, keys: Sequence[str] = (), prefixes: Sequence[str] = ()) -> Snapshot:
        # a transaction of range requests only: one round trip, one revision
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
        # etcd applies a transaction's requests in order, so ranges after the writes see them
        ops = self._client.transactions
        reads = [ops.get(key.encode()) for key in keys] + [
            ops.get(prefix.encode(), range_end=aetcd.utils.prefix_range_end(prefix.encode()))
            for prefix in prefixes
        ]
        succeeded, responses = await _call(
            self._client.transaction(
                compare=[self._compare(c) for c in compares],
                success=[self._operation(op) for op in success] + reads,
                failure=[self._operation(op) for op in failure or []] + reads,
            )
        )
        found = [
            [_key_value(kv) for _, kv in response]
            for response in responses[len(responses) - len(reads) :]
        ]
        seen = Snapshot(
            {key: next(iter(kvs), None) for key, kvs in zip(keys, found, strict=False)},
            {
                prefix: sorted(kvs, key=lambda kv: kv.key)
                for prefix, kvs in zip(prefixes, found[len(keys) :], strict=True)
            },
        )
        return Outcome(bool(succeeded), seen)

    async def grant_lease(self, ttl_seconds: int) -> int:
        lease = await _call(self._client.lease(ttl_seconds))
        return int(lease.id)

    async def revoke_lease(self, lease: int) -> None:
        # A lease expired or revoked already has no keys left, which is what was asked.
        with contextlib.suppress(LeaseNotFound):
            await _call(self._client.revoke_lease(lease))

    def _compare(self, compare: Compare) -> Any:
        targets = self._client.transactions
        key = compare.key.encode()
        range_end = aetcd.utils.prefix_range_end(key) if compare.prefix else None
        target = {"create": targets.create, "mod": targets.mod, "value": targets.value}
        return _OPERATORS[compare.operator](
            target[compare.target](key, range_end=range_end), compare.operand
        )

    def _operation(self, operation: Operation) -> Any:
        ops = self._client.transactions
        if isinstance(operation, Delete):
            key = operation.key.encode()
            if operation.prefix:
                return ops.delete(key, range_end=aetcd.utils.prefix_range_end(key))
            return ops.delete(key)
        return ops.put(operation.key.encode(), operation.value, lease=operation.lease or None)


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except aetcd.exceptions.ClientError as error:
        if "requested lease not found" in str(error):
            raise LeaseNotFound(str(error)) from error
        raise CoordinationUnavailable(f"etcd: {error}") from error


def _key_value(kv: Any) -> KeyValue:
    return KeyValue(
        key=kv.key.decode(),
        value=bytes(kv.value),
        create_revision=int(kv.create_revision),
        mod_revision=int(kv.mod_revision),
        lease=int(kv.lease),
    )
