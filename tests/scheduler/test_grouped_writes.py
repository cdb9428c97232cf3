"""Writes committed together: one transaction for the writes of the moment, and each caller
learns its own outcome when one of them fails."""

from __future__ import annotations

import asyncio

import pytest

from aftomato.common.coordination import Compare, LeaseNotFound, Put
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.scheduler.grouped_writes import GroupedWrites


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


async def test_the_writes_of_the_moment_are_one_transaction(store: InMemoryStore) -> None:
    writes = GroupedWrites(store)
    outcomes = await asyncio.gather(
        *(writes.write([Compare.absent(f"/k/{n}")], [Put(f"/k/{n}", b"v")]) for n in range(5))
    )
    assert outcomes == [True] * 5
    written = await store.get_prefix("/k/")
    assert len(written) == 5
    assert len({kv.mod_revision for kv in written}) == 1  # one transaction


async def test_a_failed_condition_fails_only_its_own_write(store: InMemoryStore) -> None:
    await store.transaction([], [Put("/k/taken", b"old")])
    writes = GroupedWrites(store)
    outcomes = await asyncio.gather(
        writes.write([Compare.absent("/k/a")], [Put("/k/a", b"v")]),
        writes.write([Compare.absent("/k/taken")], [Put("/k/taken", b"new")]),
        writes.write([Compare.absent("/k/b")], [Put("/k/b", b"v")]),
    )
    assert list(outcomes) == [True, False, True]
    taken = await store.get("/k/taken")
    assert taken is not None
    assert taken.value == b"old"


async def test_a_lost_lease_fails_only_the_write_on_it(store: InMemoryStore) -> None:
    lease = await store.grant_lease(60)
    await store.revoke_lease(lease)
    writes = GroupedWrites(store)
    results = await asyncio.gather(
        writes.write([], [Put("/k/a", b"v")]),
        writes.write([], [Put("/k/leased", b"v", lease)]),
        return_exceptions=True,
    )
    assert results[0] is True
    assert isinstance(results[1], LeaseNotFound)
    assert await store.get("/k/leased") is None


async def test_more_writes_than_a_transaction_holds_are_split(store: InMemoryStore) -> None:
    writes = GroupedWrites(store, most=4)
    outcomes = await asyncio.gather(
        *(writes.write([Compare.absent(f"/k/{n}")], [Put(f"/k/{n}", b"v")]) for n in range(10))
    )
    assert outcomes == [True] * 10
    revisions = {kv.mod_revision for kv in await store.get_prefix("/k/")}
    assert len(revisions) == 3  # 4 + 4 + 2


async def test_a_write_after_the_window_is_committed_too(store: InMemoryStore) -> None:
    writes = GroupedWrites(store, window_seconds=0.001)
    assert await writes.write([], [Put("/k/a", b"v")])
    await asyncio.sleep(0.01)
    assert await writes.write([], [Put("/k/b", b"v")])
    assert len(await store.get_prefix("/k/")) == 2


async def test_two_writes_of_one_key_are_never_in_one_transaction(store: InMemoryStore) -> None:
    writes = GroupedWrites(store)
    first, second, other = await asyncio.gather(
        writes.write([Compare.absent("/k/a")], [Put("/k/a", b"first")]),
        writes.write([Compare.absent("/k/a")], [Put("/k/a", b"second")]),
        writes.write([Compare.absent("/k/b")], [Put("/k/b", b"v")]),
    )
    assert (first, second, other) == (True, False, True)
    written = await store.get("/k/a")
    assert written is not None
    assert written.value == b"first"
