"""The build store in one SQLite file (WAL mode), for ``aftomato up``.

Each store owns one connection and one worker thread that runs every statement, so the event
loop never blocks on the disk. :meth:`SqliteStore.apply` reads, merges and writes inside one
``BEGIN IMMEDIATE`` transaction: writers, even from two stores on the same file, take turns and
never lose each other's fields. The row keeps the record as JSON beside the columns that the
history and active queries use. History pages exactly as DynamoDB does (see
:mod:`aftomato.common.records.store`), so code tried on a laptop meets production's short pages.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from aftomato.common.records.cursor import HistoryQuery, Position, decode_cursor, encode_cursor
from aftomato.common.records.model import BuildRecord, RecordUpdate, advance
from aftomato.common.records.store import HistoryPage, StoreUnavailable, check_limit

T = TypeVar("T")
CURSOR_KIND = "sqlite"
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS builds (
    build_id TEXT PRIMARY KEY,
    project_key TEXT NOT NULL,
    branch TEXT NOT NULL,
    build_time INTEGER NOT NULL,
    is_building INTEGER,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS builds_history ON builds (project_key, build_time DESC, build_id DESC);
CREATE INDEX IF NOT EXISTS builds_active ON builds (is_building) WHERE is_building IS NOT NULL;
"""
_HISTORY = """
SELECT build_time, build_id, branch, record FROM builds
WHERE project_key = ? AND build_time >= ? AND (build_time, build_id) < (?, ?)
ORDER BY build_time DESC, build_id DESC LIMIT ?
"""
_OLDEST, _NEWEST = -(2**62), 2**62
"""Bounds of ``build_time`` for a query without ``since`` or without a cursor."""


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(_SCHEMA)
    except BaseException:
        connection.close()
        raise
    return connection


class SqliteStore:
    def __init__(self, connection: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self._connection = connection
        self._executor = executor

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """A store on the file at ``path`` (created with its folder if absent); :meth:`close` it."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aftomato-records")
        loop = asyncio.get_running_loop()
        try:
            connection = await loop.run_in_executor(executor, _connect, Path(path))
        except BaseException:
            executor.shutdown()
            raise
        return cls(connection, executor)

    async def close(self) -> None:
        await self._run(self._connection.close)
        self._executor.shutdown()

    async def apply(self, update: RecordUpdate) -> BuildRecord:
        return await self._run(self._apply, update)

    async def get(self, build_id: str) -> BuildRecord | None:
        return await self._run(self._get, build_id)

    async def history(
        self,
        project_key: str,
        *,
        branch: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> HistoryPage:
        query = HistoryQuery(project_key, branch, since)
        check_limit(limit)
        after = None if cursor is None else decode_cursor(CURSOR_KIND, query, cursor)
        rows = await self._run(self._history_rows, query, limit, after)
        next_cursor = None
        if len(rows) == limit:
            last = Position(rows[-1][0], rows[-1][1])
            next_cursor = encode_cursor(CURSOR_KIND, query, last)
        records = tuple(
            BuildRecord.model_validate_json(record)
            for _, _, row_branch, record in rows
            if branch is None or row_branch == branch
        )
        return HistoryPage(records, next_cursor)

    async def active(self) -> list[BuildRecord]:
        rows = await self._run(self._select, "SELECT record FROM builds WHERE is_building = 1")
        records = [BuildRecord.model_validate_json(record) for (record,) in rows]
        return sorted(records, key=lambda r: (r.requested_at, r.build_id))

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(function, *args))
        except sqlite3.OperationalError as error:  # locked past the timeout, disk full, ...
            raise StoreUnavailable(f"SQLite build store: {error}") from error

    def _select(self, sql: str, *parameters: Any) -> list[Any]:
        return self._connection.execute(sql, parameters).fetchall()

    def _get(self, build_id: str) -> BuildRecord | None:
        rows = self._select("SELECT record FROM builds WHERE build_id = ?", build_id)
        return BuildRecord.model_validate_json(rows[0][0]) if rows else None

    def _apply(self, update: RecordUpdate) -> BuildRecord:
        with self._connection:
            self._connection.execute("BEGIN IMMEDIATE")
            current = self._get(update.build_id)
            merged = advance(current, update)
            if merged is not current:
                self._connection.execute(
                    "INSERT OR REPLACE INTO builds VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        merged.build_id,
                        merged.project_key,
                        merged.branch,
                        merged.build_time,
                        1 if merged.is_building else None,
                        merged.model_dump_json(),
                    ),
                )
        return merged

    def _history_rows(
        self, query: HistoryQuery, limit: int, after: Position | None
    ) -> list[tuple[int, str, str, str]]:
        since = _OLDEST if query.since_time is None else query.since_time
        after = after or Position(_NEWEST, "")
        return self._select(
            _HISTORY, query.project_key, since, after.build_time, after.build_id, limit
        )
