"""Each build event's update of the record: a pure mapping."""

from __future__ import annotations

from datetime import timedelta

from aftomato.common.messages import (
    BuildCancelRequested,
    BuildFinished,
    BuildQueued,
    BuildRequested,
    BuildScheduled,
    BuildStarted,
    ScriptsUpdated,
    Source,
)
from aftomato.common.records import advance, update_from
from aftomato.common.states import BuildState
from tests.common.records.backends import T0

IDS = {"build_id": "b1", "project_key": "owner/repo", "branch": "main"}


def test_a_build_life_of_events_makes_its_record() -> None:
    events = [
        BuildRequested(
            **IDS, source=Source.GITHUB, delivery_id="d1", commit="abc1234", requested_at=T0
        ),
        BuildQueued(**IDS, reason="branch busy", occurred_at=T0 + timedelta(seconds=1)),
        BuildScheduled(
            **IDS, namespace="ns", pod_name="pod-b1", occurred_at=T0 + timedelta(seconds=2)
        ),
        BuildStarted(**IDS, pod_name="pod-b1", started_at=T0 + timedelta(seconds=3)),
        BuildFinished(
            **IDS, state=BuildState.FAILED, exit_code=2, finished_at=T0 + timedelta(seconds=13)
        ),
    ]
    record = None
    for event in events:
        change = update_from(event)
        assert change is not None
        record = advance(record, change)
    assert record is not None
    assert (record.state, record.exit_code, record.source) == (BuildState.FAILED, 2, Source.GITHUB)
    assert (record.requested_at, record.queued_at) == (T0, T0 + timedelta(seconds=1))
    assert record.scheduled_at == T0 + timedelta(seconds=2)
    assert (record.pod_name, record.commit, record.elapsed_seconds) == ("pod-b1", "abc1234", 10.0)
    assert record.reason is None


def test_requests_and_other_messages_change_no_record() -> None:
    assert update_from(BuildCancelRequested(build_id="b1")) is None
    assert update_from(ScriptsUpdated()) is None
