"""The JSON of a build is exactly the documented Build model, whichever way it is made."""

from __future__ import annotations

from datetime import UTC, datetime

from aftomato.api.models import Build
from aftomato.api.views import build_json
from aftomato.common.messages import RefType, Source
from aftomato.common.records.model import BuildRecord
from aftomato.common.states import BuildState


def record(**facts: object) -> BuildRecord:
    fields: dict[str, object] = {
        "build_id": "a" * 32,
        "project_key": "team/app",
        "branch": "feature/x",
        "state": BuildState.FAILED,
        "requested_at": datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
    }
    fields.update(facts)
    return BuildRecord.model_validate(fields)


def test_a_bare_record_has_every_field_of_the_model() -> None:
    shown = build_json(record())
    assert set(shown) == set(Build.model_fields)
    assert Build.model_validate(shown).model_dump(mode="json") == shown
    assert shown["requested_at"] == "2026-11-25T06:00:00Z"
    assert shown["is_building"] is False


def test_a_full_record_keeps_every_fact_and_drops_internal_ones() -> None:
    full = record(
        reason="exit 2",
        commit="abc1234",
        ref_type=RefType.TAG,
        pull_request=7,
        source=Source.GITHUB,
        actor="alice",
        started_at=datetime(2026, 11, 25, 6, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 25, 6, 3, tzinfo=UTC),
        exit_code=2,
        elapsed_seconds=120.0,
        pod_name="build-aaaa",
        log_location="s3://logs/x",
    )
    shown = build_json(full)
    assert Build.model_validate(shown).model_dump(mode="json") == shown
    assert (shown["ref_type"], shown["source"], shown["elapsed_seconds"]) == (
        "tag",
        "github",
        120.0,
    )
    assert "pod_name" not in shown
    assert "log_location" not in shown
