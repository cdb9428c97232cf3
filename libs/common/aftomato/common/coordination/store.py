"""The store's shape: keys with revisions, compare-and-swap transactions, leases.

It is etcd's data model reduced to what Aftomato uses. Every write of one transaction becomes
visible at once or not at all; ``create_revision`` 0 in a comparison means "the key does not
exist"; a key attached to a lease is deleted when the lease is revoked or expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


class CoordinationUnavailable(Exception):
    """The store cannot be reached now; the caller retries (a handler raises ``Retry``)."""


class LeaseNotFound(Exception):
    """A write named a lease that expired or was revoked: nothing of the transaction happened."""


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int
    lease: int
    """0 when the key is attached to no lease."""


@dataclass(frozen=True, slots=True)
class Compare:
    """``target`` of ``key`` compared with ``operand`` (a missing key has revisions 0).

    With ``prefix``, every key under ``key`` must satisfy it, as in etcd: an empty range compares
    as one missing key (and a value comparison on it fails)."""

    key: str
    target: Literal["create", "mod", "value"]
    operator: Literal["==", "!=", "<", ">"]
    operand: int | bytes
    prefix: bool = False

    @classmethod
    def absent(cls, key: str) -> Compare:
        return cls(key, "create", "==", 0)

    @classmethod
    def nothing_under(cls, prefix: str) -> Compare:
        return cls(prefix, "create", "==", 0, prefix=True)

    @classmethod
    def present(cls, key: str) -> Compare:
        return cls(key, "create", ">", 0)

    @classmethod
    def unchanged(cls, kv: KeyValue) -> Compare:
        return cls(kv.key, "mod", "==", kv.mod_revision)

    @classmethod
    def value_is(cls, key: str, value: bytes) -> Compare:
        return cls(key, "value", "==", value)


@dataclass(frozen=True, slots=True)
class Put:
    key: str
    value: bytes
    lease: int = 0


@dataclass(frozen=True, slots=True)
class Delete:
    key: str
    prefix: bool = False


Operation = Put | Delete


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Keys and prefixes read at one revision, in one round trip."""

    keys: dict[str, KeyValue | None]
    """Each key asked for, None where it does not exist."""
    prefixes: dict[str, list[KeyValue]]
    """The keys under each prefix asked for, sorted by key."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a transaction that also reads gives back."""

    succeeded: bool
    """Whether every comparison held (so ``success`` was applied, else ``failure``)."""
    seen: Snapshot
    """The keys and prefixes read after the writes, in the same transaction."""


class CoordinationStore(Protocol):
    async def get(self, key: str) -> KeyValue | None:
        """The key, or None when it does not exist."""

    async def get_prefix(self, prefix: str) -> list[KeyValue]:
        """Every key under ``prefix``, sorted by key."""

    async def keys(self, prefix: str) -> list[str]:
        """The names of the keys under ``prefix``, sorted, without their values."""

    async def read(self, keys: Sequence[str] = (), prefixes: Sequence[str] = ()) -> Snapshot:
        """``keys`` and everything under ``prefixes``, as of one moment (one round trip)."""

    async def transaction(
        self,
        compares: list[Compare],
        success: list[Operation],
        failure: list[Operation] | None = None,
    ) -> bool:
        """If every comparison holds, apply ``success`` (else ``failure``), atomically."""

    async def transact(
        self,
        compares: list[Compare],
        success: list[Operation],
        failure: list[Operation] | None = None,
        *,
        keys: Sequence[str] = (),
        prefixes: Sequence[str] = (),
    ) -> Outcome:
        """:meth:`transaction`, then ``keys`` and ``prefixes`` read within it (the reads see its
        writes and nothing else in between): a decision and what follows it in one round trip."""

    async def grant_lease(self, ttl_seconds: int) -> int:
        """A new lease id; its keys are deleted when it expires unrevoked and unrefreshed."""

    async def revoke_lease(self, lease: int) -> None:
        """Delete the lease and every key attached to it (a lease already gone is fine)."""
