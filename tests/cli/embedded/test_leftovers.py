"""Builds that cannot go on once ``aftomato up`` stops are ended; finished ones keep their end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aftomato.cli.embedded.leftovers import DIED, end_active
from aftomato.common.records.model import RecordUpdate
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.states import BuildState


def update(build_id: str, state: BuildState) -> RecordUpdate:
    return RecordUpdate(
        build_id=build_id,
        project_key="examples/hello-world",
        branch="main",
        state=state,
        requested_at=datetime.now(UTC),
    )


async def test_active_builds_end_and_finished_ones_are_left_alone(tmp_path: Path) -> None:
    records = await SqliteStore.open(tmp_path / "builds.sqlite3")
    try:
        await records.apply(update("a" * 32, BuildState.QUEUED))
        await records.apply(update("b" * 32, BuildState.RUNNING))
        await records.apply(update("c" * 32, BuildState.SUCCEEDED))
        assert await end_active(records, BuildState.ERRORED, DIED) == 2
        ended = [await records.get(build_id * 32) for build_id in "abc"]
        assert [(r.state, r.reason) for r in ended if r] == [
            (BuildState.ERRORED, DIED),
            (BuildState.ERRORED, DIED),
            (BuildState.SUCCEEDED, None),
        ]
        assert await records.active() == []
        assert await end_active(records, BuildState.ERRORED, DIED) == 0
    finally:
        await records.close()
