"""The merge rule on its own: no store, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from aftomato.common.records import BuildRecord, advance
from aftomato.common.states import BuildState
from tests.common.records.backends import T0, requested, update


def test_the_first_update_creates_a_record() -> None:
    record = advance(None, requested("b1", commit="abc1234"))
    assert (record.build_id, record.state, record.commit) == ("b1", BuildState.REQUESTED, "abc1234")
    assert record.requested_at == T0
    assert record.is_building


def test_a_record_first_seen_late_is_requested_when_that_event_happened() -> None:
    seen = T0 + timedelta(minutes=5)
    record = advance(None, update("b1", BuildState.RUNNING, occurred_at=seen, pod_name="p"))
    assert (record.state, record.requested_at, record.pod_name) == (BuildState.RUNNING, seen, "p")


def test_a_forward_move_takes_the_new_facts_and_the_new_reason() -> None:
    queued = advance(None, update("b1", BuildState.QUEUED, reason="branch busy", commit="abc1234"))
    running = advance(queued, update("b1", BuildState.RUNNING, pod_name="p", commit="def5678"))
    assert running.state is BuildState.RUNNING
    assert (running.pod_name, running.commit, running.reason) == ("p", "def5678", None)
    assert running.requested_at == queued.requested_at


def test_identity_is_fixed_at_creation() -> None:
    record = advance(None, requested("b1"))
    moved = advance(record, update("b1", BuildState.RUNNING, requested_at=T0 + timedelta(days=1)))
    assert moved.requested_at == T0


@pytest.mark.parametrize(
    "state", [BuildState.REQUESTED, BuildState.SCHEDULED, BuildState.FAILED, BuildState.CANCELLED]
)
def test_nothing_moves_a_finished_build(state: BuildState) -> None:
    done = advance(None, update("b1", BuildState.SUCCEEDED, exit_code=0))
    assert advance(done, update("b1", state, exit_code=1, reason="late")) is done


def test_a_lower_rank_changes_nothing_even_where_fields_are_empty() -> None:
    running = advance(None, update("b1", BuildState.RUNNING))
    assert advance(running, requested("b1", commit="abc1234")) is running


def test_the_same_state_fills_only_empty_fields() -> None:
    record = advance(None, update("b1", BuildState.QUEUED, reason="busy"))
    again = advance(record, update("b1", BuildState.QUEUED, reason="closed", commit="abc1234"))
    assert (again.reason, again.commit) == ("busy", "abc1234")
    assert advance(again, update("b1", BuildState.QUEUED, reason="closed")) is again


def test_elapsed_time_is_from_start_to_finish_unless_given() -> None:
    started = advance(None, update("b1", BuildState.RUNNING, started_at=T0))
    end = T0 + timedelta(seconds=90)
    done = advance(started, update("b1", BuildState.SUCCEEDED, finished_at=end))
    assert done.elapsed_seconds == 90.0
    given = advance(started, update("b1", BuildState.FAILED, finished_at=end, elapsed_seconds=7))
    assert given.elapsed_seconds == 7.0


def test_elapsed_time_stays_unknown_for_a_build_that_never_started() -> None:
    record = advance(None, requested("b1"))
    cancelled = advance(record, update("b1", BuildState.CANCELLED, finished_at=T0))
    assert cancelled.elapsed_seconds is None


def test_times_are_kept_in_utc_and_must_carry_a_zone() -> None:
    eastern = datetime(2030, 1, 1, 7, tzinfo=timezone(timedelta(hours=7)))
    started = update("b1", BuildState.RUNNING, started_at=eastern).started_at
    assert started == T0
    assert started is not None
    assert started.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError, match="timezone"):
        update("b1", BuildState.RUNNING, started_at=datetime(2030, 1, 1))


def test_build_time_is_whole_epoch_seconds_of_the_request() -> None:
    record = advance(None, requested("b1", minutes=0.01))
    assert isinstance(record, BuildRecord)
    assert record.build_time == int(T0.timestamp())
