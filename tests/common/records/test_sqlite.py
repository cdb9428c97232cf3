"""What only the SQLite store promises: one file in WAL mode that outlives the process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aftomato.common.records import StoreUnavailable
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.states import BuildState
from tests.common.records.backends import requested, update


async def test_records_outlive_the_store_in_one_wal_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "records.db"
    store = await SqliteStore.open(path)
    try:
        await store.apply(requested("b1"))
        await store.apply(update("b1", BuildState.RUNNING, pod_name="p"))
    finally:
        await store.close()
    with sqlite3.connect(path) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    connection.close()
    assert mode == "wal"

    reopened = await SqliteStore.open(path)
    try:
        record = await reopened.get("b1")
        assert record is not None
        assert (record.state, record.pod_name) == (BuildState.RUNNING, "p")
        assert [r.build_id for r in await reopened.active()] == ["b1"]
    finally:
        await reopened.close()


async def test_a_locked_file_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aftomato.common.records.sqlite.BUSY_TIMEOUT_SECONDS", 0.05)
    path = tmp_path / "records.db"
    store = await SqliteStore.open(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable, match="locked"):
            await store.apply(requested("b1"))
        holder.execute("ROLLBACK")
        assert (await store.apply(requested("b1"))).build_id == "b1"
    finally:
        holder.close()
        await store.close()
