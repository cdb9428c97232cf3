"""One contract, two build stores: DynamoDB (on moto) and SQLite keep the same promises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from aftomato.common.records import BuildStore, InvalidCursor, walk_history
from aftomato.common.states import BuildState
from tests.common.records.backends import (
    PROJECT,
    T0,
    Backend,
    DynamoDbBackend,
    SqliteBackend,
    requested,
    update,
)


@pytest.fixture(params=["sqlite", pytest.param("dynamodb", marks=pytest.mark.integration)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            yield SqliteBackend(stack, tmp_path / "records.db")
            return
        dynamodb = DynamoDbBackend(
            stack, request.getfixturevalue("aws_endpoint"), request.getfixturevalue("aws_names")
        )
        await dynamodb.create()
        yield dynamodb


@pytest.fixture
async def store(backend: Backend) -> BuildStore:
    return await backend.open()


async def apply_all(store: BuildStore, count: int, **facts: object) -> None:
    """``count`` requested builds ``b000``... one minute apart, 25 at a time."""
    for start in range(0, count, 25):
        batch = range(start, min(start + 25, count))
        await asyncio.gather(*(store.apply(requested(f"b{n:03}", n, **facts)) for n in batch))


async def test_the_first_update_creates_the_record(store: BuildStore) -> None:
    created = await store.apply(requested("b1", commit="abc1234", actor="alice"))
    assert created.state is BuildState.REQUESTED
    assert (created.project_key, created.branch, created.commit) == (PROJECT, "main", "abc1234")
    assert created.requested_at == T0
    assert await store.get("b1") == created
    assert await store.get("b2") is None


async def test_forward_moves_fill_in_what_each_event_carries(store: BuildStore) -> None:
    await store.apply(requested("b1", commit="abc1234"))
    await store.apply(
        update(
            "b1", BuildState.SCHEDULED, pod_name="pod-b1", scheduled_at=T0 + timedelta(seconds=1)
        )
    )
    await store.apply(update("b1", BuildState.RUNNING, started_at=T0 + timedelta(seconds=5)))
    final = await store.apply(
        update(
            "b1",
            BuildState.FAILED,
            exit_code=3,
            reason="exit code 3",
            finished_at=T0 + timedelta(seconds=65),
            log_location="s3://logs/b1/console.log.gz",
        )
    )
    assert final.state is BuildState.FAILED
    assert (final.commit, final.pod_name, final.exit_code) == ("abc1234", "pod-b1", 3)
    assert final.elapsed_seconds == 60.0
    assert final.log_location == "s3://logs/b1/console.log.gz"
    assert await store.get("b1") == final


async def test_a_record_never_moves_backwards(store: BuildStore) -> None:
    await store.apply(requested("b1"))
    done = await store.apply(update("b1", BuildState.SUCCEEDED, exit_code=0))
    late = await store.apply(update("b1", BuildState.RUNNING, pod_name="late"))
    other_end = await store.apply(update("b1", BuildState.CANCELLED, reason="too late"))
    assert late == other_end == done
    assert await store.get("b1") == done


async def test_a_redelivered_update_changes_nothing_and_fills_only_gaps(store: BuildStore) -> None:
    first = await store.apply(update("b1", BuildState.SCHEDULED, pod_name="pod-1"))
    assert await store.apply(update("b1", BuildState.SCHEDULED, pod_name="pod-1")) == first
    second = await store.apply(update("b1", BuildState.SCHEDULED, pod_name="x", commit="abc1234"))
    assert (second.pod_name, second.commit) == ("pod-1", "abc1234")
    assert await store.get("b1") == second


async def test_concurrent_writers_lose_nothing(backend: Backend) -> None:
    one, two = await backend.open(), await backend.open()
    builds = [f"b{n}" for n in range(8)]
    for build in builds:
        await one.apply(update(build, BuildState.RUNNING, pod_name=f"pod-{build}"))
    await asyncio.gather(
        *(one.apply(update(b, BuildState.SUCCEEDED, log_location=f"log-{b}")) for b in builds),
        *(two.apply(update(b, BuildState.SUCCEEDED, artifacts_location=f"a-{b}")) for b in builds),
        *(two.apply(update(b, BuildState.SCHEDULED, reason="late")) for b in builds),
    )
    for build in builds:
        record = await one.get(build)
        assert record is not None
        assert record.state is BuildState.SUCCEEDED
        assert (record.pod_name, record.log_location, record.artifacts_location, record.reason) == (
            f"pod-{build}",
            f"log-{build}",
            f"a-{build}",
            None,
        )


async def test_the_higher_state_wins_a_race(backend: Backend) -> None:
    one, two = await backend.open(), await backend.open()
    for n in range(8):
        await one.apply(requested(f"b{n}"))
    await asyncio.gather(
        *(one.apply(update(f"b{n}", BuildState.RUNNING, pod_name="p")) for n in range(8)),
        *(two.apply(update(f"b{n}", BuildState.FAILED, exit_code=1)) for n in range(8)),
    )
    for n in range(8):
        record = await two.get(f"b{n}")
        assert record is not None
        assert (record.state, record.exit_code) == (BuildState.FAILED, 1)


async def test_active_lists_only_builds_that_are_not_final(store: BuildStore) -> None:
    await store.apply(requested("b1", 1))
    await store.apply(requested("b2", 2))
    await store.apply(requested("b3", 3))
    await store.apply(update("b2", BuildState.RUNNING))
    assert [r.build_id for r in await store.active()] == ["b1", "b2", "b3"]
    await store.apply(update("b2", BuildState.TIMED_OUT))
    await store.apply(update("b3", BuildState.ERRORED, reason="pod vanished"))
    assert [r.build_id for r in await store.active()] == ["b1"]


async def test_history_is_newest_first_by_branch_and_since(store: BuildStore) -> None:
    await store.apply(requested("b1", 10))
    await store.apply(requested("b2", 20, branch="feature/x"))
    await store.apply(requested("b3", 30))
    await store.apply(requested("other", 40, project_key="owner/other"))

    every = await store.history(PROJECT)
    assert [r.build_id for r in every.records] == ["b3", "b2", "b1"]
    assert every.cursor is None
    main = await store.history(PROJECT, branch="main")
    assert [r.build_id for r in main.records] == ["b3", "b1"]
    recent = await store.history(PROJECT, since=T0 + timedelta(minutes=20))
    assert [r.build_id for r in recent.records] == ["b3", "b2"]
    both = await store.history(PROJECT, branch="main", since=T0 + timedelta(minutes=11))
    assert [r.build_id for r in both.records] == ["b3"]


async def test_paging_through_250_builds_misses_nothing(store: BuildStore) -> None:
    await apply_all(store, 250)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await store.history(PROJECT, limit=100, cursor=cursor)
        seen.extend(r.build_id for r in page.records)
        pages += 1
        if page.cursor is None:
            break
        cursor = page.cursor
    assert seen == [f"b{n:03}" for n in reversed(range(250))]
    assert pages == 3
    walked = [r.build_id async for r in walk_history(store, PROJECT, page_size=100)]
    assert walked == seen


async def test_an_empty_page_may_carry_a_cursor(store: BuildStore) -> None:
    for n in range(3):
        await store.apply(requested(f"old{n}", n, branch="dev"))
    for n in range(3):
        await store.apply(requested(f"new{n}", 10 + n))

    first = await store.history(PROJECT, branch="dev", limit=3)
    assert first.records == ()
    assert first.cursor is not None
    walked = [r.build_id async for r in walk_history(store, PROJECT, branch="dev", page_size=3)]
    assert walked == ["old2", "old1", "old0"]


async def test_a_cursor_works_only_for_its_own_query(store: BuildStore) -> None:
    await apply_all(store, 3)
    page = await store.history(PROJECT, limit=1)
    assert page.cursor is not None
    with pytest.raises(InvalidCursor, match=r"cursor '.+' belongs to another query"):
        await store.history(PROJECT, branch="main", limit=1, cursor=page.cursor)
    with pytest.raises(InvalidCursor, match="cursor 'nonsense' is not a history cursor"):
        await store.history(PROJECT, cursor="nonsense")
    assert isinstance(InvalidCursor("x"), ValueError)


@pytest.mark.parametrize("limit", [0, 101])
async def test_limit_is_one_to_a_hundred(store: BuildStore, limit: int) -> None:
    with pytest.raises(ValueError, match=f"limit {limit} is out of range"):
        await store.history(PROJECT, limit=limit)
