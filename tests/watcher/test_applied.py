"""An update saying nothing new after one applied before it is skipped, and only then."""

from __future__ import annotations

from datetime import UTC, datetime

from aftomato.common.records.model import BuildRecord, RecordUpdate, advance
from aftomato.common.states import BuildState
from aftomato.watcher.applied import AppliedUpdates

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def update(state: BuildState, build_id: str = "b1", **facts: object) -> RecordUpdate:
    return RecordUpdate.model_validate(
        {"build_id": build_id, "project_key": "team/app", "branch": "main", "state": state} | facts
    )


RUNNING = update(BuildState.RUNNING, pod_name="p1", started_at=T0, artifacts_location="s3://a/")


def test_the_same_state_with_no_new_fact_is_redundant() -> None:
    applied = AppliedUpdates()
    assert not applied.redundant(RUNNING)
    applied.add(RUNNING)
    assert applied.redundant(RUNNING)
    # build.started heard back: fewer facts, other values (filling keeps the first ones)
    heard = update(BuildState.RUNNING, pod_name="p1", started_at=T0.replace(second=3))
    assert applied.redundant(heard)


def test_a_lower_state_is_redundant_whatever_it_carries() -> None:
    applied = AppliedUpdates()
    applied.add(RUNNING)
    late = update(BuildState.SCHEDULED, pod_name="p1", scheduled_at=T0, reason="late")
    assert applied.redundant(late)
    applied.add(late)  # applied anyway (by another path): the record is still past it
    assert applied.redundant(RUNNING)


def test_a_new_fact_a_higher_state_or_another_build_is_not() -> None:
    applied = AppliedUpdates()
    applied.add(RUNNING)
    assert not applied.redundant(update(BuildState.RUNNING, pod_name="p1", reason="why"))
    assert not applied.redundant(update(BuildState.SUCCEEDED, exit_code=0))
    assert not applied.redundant(update(BuildState.RUNNING, build_id="b2", pod_name="p1"))


def test_two_applied_updates_of_one_state_count_together() -> None:
    applied = AppliedUpdates()
    applied.add(update(BuildState.SCHEDULED, pod_name="p1"))
    applied.add(update(BuildState.SCHEDULED, scheduled_at=T0))
    assert applied.redundant(update(BuildState.SCHEDULED, pod_name="p1", scheduled_at=T0))
    applied.add(RUNNING)
    assert not applied.redundant(update(BuildState.RUNNING, pod_name="p1", exit_code=3))


def test_whatever_the_record_became_a_redundant_update_would_change_nothing() -> None:
    """The rule it rests on: after an update is merged, one like it changes nothing, whether
    the record stayed or moved forward meanwhile."""
    requested = update(BuildState.REQUESTED, requested_at=T0)
    later = [
        RUNNING,
        update(BuildState.RUNNING, commit="abc1234", reason="still here"),
        update(BuildState.SUCCEEDED, exit_code=0, finished_at=T0, log_location="s3://l/"),
    ]
    record: BuildRecord = advance(None, requested)
    record = advance(record, RUNNING)
    redundant = [
        update(BuildState.RUNNING, pod_name="other", started_at=T0),
        update(BuildState.SCHEDULED, pod_name="p1", scheduled_at=T0, reason="late"),
        update(BuildState.REQUESTED, commit="abc1234", requested_at=T0),
    ]
    for moved in later:
        record = advance(record, moved)
        for same in redundant:
            assert advance(record, same) is record


def test_final_updates_end_what_is_kept_and_the_oldest_are_forgotten() -> None:
    applied = AppliedUpdates(size=2)
    applied.add(RUNNING)
    applied.add(update(BuildState.SUCCEEDED, exit_code=0))
    assert len(applied) == 0
    for build in ("b1", "b2", "b3"):
        applied.add(update(BuildState.RUNNING, build_id=build, pod_name="p"))
    assert len(applied) == 2
    assert not applied.redundant(update(BuildState.RUNNING, build_id="b1", pod_name="p"))
    assert applied.redundant(update(BuildState.RUNNING, build_id="b3", pod_name="p"))
