"""The recorder writes every build.* fact, and skips the ones that cannot change the record."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftomato.common.bus import Delivery
from aftomato.common.messages import (
    BuildFinished,
    BuildMessage,
    BuildRequested,
    BuildScheduled,
    BuildStarted,
    Source,
)
from aftomato.common.records.model import BuildRecord, RecordUpdate
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.states import BuildState
from aftomato.watcher.applied import AppliedUpdates
from aftomato.watcher.finished import RecentlyFinished
from aftomato.watcher.recorder import record_handler

T0 = datetime(2026, 1, 1, tzinfo=UTC)
IDS = {"build_id": "b1", "project_key": "team/app", "branch": "main"}


class CountedStore(SqliteStore):
    """A real SQLite store that counts the updates it is asked to apply."""

    applied: int = 0

    async def apply(self, update: RecordUpdate) -> BuildRecord:
        self.applied += 1
        return await super().apply(update)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountedStore]:
    opened = await CountedStore.open(tmp_path / "records.sqlite")
    assert isinstance(opened, CountedStore)
    yield opened
    await opened.close()


def delivery(message: BuildMessage) -> Delivery:
    return Delivery(message, message.routing_key, 1)


async def test_each_new_fact_is_written_and_repeats_are_not(store: CountedStore) -> None:
    handle = record_handler(store, RecentlyFinished(), AppliedUpdates())
    requested = BuildRequested(**IDS, source=Source.API, delivery_id="d1")
    scheduled = BuildScheduled(**IDS, namespace="ns", pod_name="p1")
    started = BuildStarted(**IDS, pod_name="p1", started_at=T0)
    for message in (requested, scheduled, started, started, scheduled, requested):
        await handle(delivery(message))
    assert store.applied == 3
    record = await store.get("b1")
    assert record is not None
    assert (record.state, record.pod_name, record.started_at) == (BuildState.RUNNING, "p1", T0)


async def test_a_build_this_watcher_finished_takes_no_write(store: CountedStore) -> None:
    finished = RecentlyFinished()
    handle = record_handler(store, finished, AppliedUpdates())
    await handle(delivery(BuildRequested(**IDS, source=Source.API, delivery_id="d1")))
    finished.add("b1", BuildState.SUCCEEDED)  # as the tracker does once the record is final
    late = BuildStarted(**IDS, pod_name="p1", started_at=T0)
    own = BuildFinished(**IDS, state=BuildState.SUCCEEDED, exit_code=0, finished_at=T0)
    for message in (late, own):
        await handle(delivery(message))
    assert store.applied == 1
