"""One contract, two stores: etcd and the in-process store keep the same promises."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aftomato.common.coordination import (
    Compare,
    CoordinationStore,
    Delete,
    LeaseNotFound,
    Put,
)
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.settings import EtcdSettings
from tests.support.waiting import eventually_async


@pytest.fixture(params=["memory", pytest.param("etcd", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[CoordinationStore]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    endpoint = request.getfixturevalue("etcd_endpoint")
    etcd = await EtcdStore.connect(EtcdSettings(endpoints=(endpoint,)))
    try:
        yield etcd
    finally:
        await etcd.close()


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    if "etcd" in request.node.callspec.id:
        value: str = request.getfixturevalue("etcd_prefix")
        return value
    return "/test/"


async def test_put_if_absent_succeeds_once(store: CoordinationStore, prefix: str) -> None:
    key = f"{prefix}lock"
    first = await store.transaction([Compare.absent(key)], [Put(key, b"build-1")])
    second = await store.transaction([Compare.absent(key)], [Put(key, b"build-2")])
    assert (first, second) == (True, False)
    (kv,) = await store.get_prefix(prefix)
    assert (kv.key, kv.value) == (key, b"build-1")
    assert await store.get(key) == kv
    assert await store.get(f"{key}-other") is None
    assert kv.create_revision > 0
    assert kv.create_revision == kv.mod_revision


async def test_failure_operations_apply_when_a_comparison_fails(
    store: CoordinationStore, prefix: str
) -> None:
    key = f"{prefix}k"
    await store.transaction([], [Put(key, b"1")])
    held = await store.transaction(
        [Compare.value_is(key, b"2")], [Put(key, b"changed")], [Put(f"{prefix}seen", b"x")]
    )
    assert not held
    assert [kv.key for kv in await store.get_prefix(prefix)] == [key, f"{prefix}seen"]


async def test_a_transaction_is_all_or_nothing(store: CoordinationStore, prefix: str) -> None:
    await store.transaction([], [Put(f"{prefix}a", b"1")])
    done = await store.transaction(
        [Compare.absent(f"{prefix}b"), Compare.absent(f"{prefix}a")],
        [Put(f"{prefix}b", b"2"), Put(f"{prefix}c", b"3")],
    )
    assert not done
    assert [kv.key for kv in await store.get_prefix(prefix)] == [f"{prefix}a"]


async def test_mod_revision_detects_a_concurrent_change(
    store: CoordinationStore, prefix: str
) -> None:
    key = f"{prefix}head"
    await store.transaction([], [Put(key, b"v1")])
    (seen,) = await store.get_prefix(key)
    await store.transaction([], [Put(key, b"v2")])
    assert not await store.transaction([Compare.unchanged(seen)], [Delete(key)])
    (now,) = await store.get_prefix(key)
    assert now.create_revision == seen.create_revision
    assert now.mod_revision > seen.mod_revision
    assert await store.transaction([Compare.unchanged(now)], [Delete(key)])
    assert await store.get_prefix(key) == []


async def test_keys_come_back_sorted_and_prefix_deletes_reach_only_the_prefix(
    store: CoordinationStore, prefix: str
) -> None:
    for name in ("q/b/2", "q/a/1", "q/b/1", "qq"):
        await store.transaction([], [Put(f"{prefix}{name}", name.encode())])
    keys = [kv.key.removeprefix(prefix) for kv in await store.get_prefix(f"{prefix}q")]
    assert keys == ["q/a/1", "q/b/1", "q/b/2", "qq"]
    assert [key.removeprefix(prefix) for key in await store.keys(f"{prefix}q")] == keys
    assert await store.keys(f"{prefix}none") == []
    await store.transaction([], [Delete(f"{prefix}q/b/", prefix=True)])
    keys = [kv.key.removeprefix(prefix) for kv in await store.get_prefix(prefix)]
    assert keys == ["q/a/1", "qq"]


async def test_revoking_a_lease_deletes_its_keys_together(
    store: CoordinationStore, prefix: str
) -> None:
    lease = await store.grant_lease(60)
    other = await store.grant_lease(60)
    await store.transaction(
        [],
        [
            Put(f"{prefix}lock", b"b1", lease),
            Put(f"{prefix}running", b"b1", lease),
            Put(f"{prefix}other", b"b2", other),
        ],
    )
    (lock, _, _) = await store.get_prefix(prefix)
    assert lock.lease == lease
    await store.revoke_lease(lease)
    assert [kv.key for kv in await store.get_prefix(prefix)] == [f"{prefix}other"]
    await store.revoke_lease(lease)  # again: harmless


async def test_an_expired_lease_takes_its_keys_and_refuses_new_ones(
    store: CoordinationStore, prefix: str
) -> None:
    lease = await store.grant_lease(1)
    await store.transaction([], [Put(f"{prefix}lock", b"b1", lease)])

    async def gone() -> bool:
        return not await store.get_prefix(prefix)

    await eventually_async(gone, what="the lease to expire")
    with pytest.raises(LeaseNotFound):
        await store.transaction([], [Put(f"{prefix}again", b"x", lease)])
    assert await store.get_prefix(prefix) == []


async def test_a_read_gives_keys_and_prefixes_at_once(
    store: CoordinationStore, prefix: str
) -> None:
    await store.transaction(
        [],
        [Put(f"{prefix}q/b", b"2"), Put(f"{prefix}q/a", b"1"), Put(f"{prefix}lock", b"x")],
    )
    snapshot = await store.read(
        keys=[f"{prefix}lock", f"{prefix}closed"], prefixes=[f"{prefix}q/", f"{prefix}none/"]
    )
    lock = snapshot.keys[f"{prefix}lock"]
    assert lock is not None
    assert lock == await store.get(f"{prefix}lock")
    assert snapshot.keys[f"{prefix}closed"] is None
    assert [kv.value for kv in snapshot.prefixes[f"{prefix}q/"]] == [b"1", b"2"]
    assert snapshot.prefixes[f"{prefix}q/"] == await store.get_prefix(f"{prefix}q/")
    assert snapshot.prefixes[f"{prefix}none/"] == []


async def test_an_empty_read_reads_nothing(store: CoordinationStore) -> None:
    snapshot = await store.read()
    assert (snapshot.keys, snapshot.prefixes) == ({}, {})


async def test_a_transaction_reads_after_its_own_writes(
    store: CoordinationStore, prefix: str
) -> None:
    entry, lock = f"{prefix}builds/1", f"{prefix}lock"
    await store.transaction([], [Put(f"{prefix}q/a", b"0"), Put(lock, b"x")])
    first = await store.transact(
        [Compare.absent(entry)],
        [Put(entry, b"waiting"), Put(f"{prefix}q/b", b"1"), Delete(lock)],
        keys=[entry, lock],
        prefixes=[f"{prefix}q/"],
    )
    assert first.succeeded
    written = first.seen.keys[entry]
    assert written is not None
    assert written == await store.get(entry)
    assert first.seen.keys[lock] is None
    assert [kv.value for kv in first.seen.prefixes[f"{prefix}q/"]] == [b"0", b"1"]

    again = await store.transact(
        [Compare.absent(entry)],
        [Put(entry, b"twice")],
        [Put(f"{prefix}seen-again", b"1")],
        keys=[entry, f"{prefix}seen-again"],
    )
    assert not again.succeeded
    assert again.seen.keys[entry] == written
    assert again.seen.keys[f"{prefix}seen-again"] is not None
    assert again.seen.prefixes == {}


async def test_a_prefix_comparison_holds_for_every_key_under_it(
    store: CoordinationStore, prefix: str
) -> None:
    queue, guard = f"{prefix}queue/", f"{prefix}guard"
    assert await store.transaction([Compare.nothing_under(queue)], [Put(guard, b"1")])
    await store.transaction([], [Put(f"{queue}a", b"x"), Put(f"{prefix}queue-other", b"y")])
    assert not await store.transaction([Compare.nothing_under(queue)], [Put(guard, b"2")])
    assert await store.transaction([Compare.nothing_under(f"{queue}b")], [Put(guard, b"3")])
    assert await store.transaction(
        [Compare(queue, "value", "==", b"x", prefix=True)], [Put(guard, b"4")]
    )
    await store.transaction([], [Put(f"{queue}b", b"z")])
    assert not await store.transaction(
        [Compare(queue, "value", "==", b"x", prefix=True)], [Put(guard, b"5")]
    )
    # as in etcd, a value never compares on an empty range
    assert not await store.transaction(
        [Compare(f"{prefix}empty/", "value", "!=", b"x", prefix=True)], [Put(guard, b"6")]
    )
    found = await store.get(guard)
    assert found is not None
    assert found.value == b"4"
