"""Messages: round trips, validation, old payloads still parsing, exported schemas kept fresh."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from aftomato.common.messages import (
    MESSAGE_TYPES,
    NAMES_CHECKED,
    SCHEMA_VERSION,
    BuildFinished,
    BuildRequested,
    Source,
    UnknownMessageType,
    parse_message,
)
from aftomato.common.schemas import schema_documents
from aftomato.common.states import BuildState

PAYLOADS = Path(__file__).parent / "payloads"
SCHEMAS = Path(__file__).parents[2] / "docs" / "schemas"


def requested(**changes: object) -> BuildRequested:
    fields: dict[str, object] = {
        "build_id": "3c1b9f0c2f4d5a7e9b8c6d4e2f1a0b9c",
        "project_key": "owner/repo",
        "branch": "main",
        "source": Source.GITHUB,
        "delivery_id": "d-1",
    }
    fields.update(changes)
    return BuildRequested.model_validate(fields)


def test_a_message_survives_the_wire_unchanged() -> None:
    message = requested(commit="a" * 40, parameters={"DEPLOY": "yes"}, pull_request=7)
    again = parse_message("build.requested", message.model_dump_json().encode())
    assert again == message
    assert again.schema_version == SCHEMA_VERSION


def test_messages_are_frozen() -> None:
    with pytest.raises(ValidationError):
        requested().branch = "other"  # type: ignore[misc]


def test_every_routing_key_names_its_model() -> None:
    assert sorted(MESSAGE_TYPES) == [
        "build.cancel",
        "build.finished",
        "build.queued",
        "build.requested",
        "build.scheduled",
        "build.started",
        "scripts.updated",
    ]
    for routing_key, model in MESSAGE_TYPES.items():
        assert model.routing_key == routing_key


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"project_key": "../etc"}, "project_key"),
        ({"branch": "-rf"}, "branch"),
        ({"parameters": {"BUILD_ID": "x"}}, "parameters"),
        ({"commit": "not-a-sha"}, "commit"),
        ({"build_id": "Has Spaces"}, "build_id"),
        ({"schema_version": SCHEMA_VERSION + 1}, "schema_version"),
    ],
)
def test_invalid_fields_are_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        requested(**changes)
    assert field in str(raised.value)


def test_a_producer_that_checked_the_names_skips_only_those_checks() -> None:
    fields = requested().model_dump() | {"project_key": "../etc", "branch": "-rf"}
    checked = {NAMES_CHECKED: True}
    assert BuildRequested.model_validate(fields, context=checked).project_key == "../etc"
    with pytest.raises(ValidationError, match="project_key"):
        BuildRequested.model_validate(fields)
    with pytest.raises(ValidationError, match="commit"):
        BuildRequested.model_validate(fields | {"commit": "not-a-sha"}, context=checked)


def test_a_finished_build_must_be_in_a_final_state() -> None:
    with pytest.raises(ValidationError, match="not final"):
        BuildFinished(build_id="b1", project_key="p", branch="main", state=BuildState.RUNNING)


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    body = requested().model_dump() | {"added_in_a_later_version": True}
    assert parse_message("build.requested", BuildRequested(**body).model_dump_json())


def test_unknown_routing_keys_are_refused() -> None:
    with pytest.raises(UnknownMessageType):
        parse_message("build.exploded", b"{}")


@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("v*/*.json")), ids=lambda p: p.stem)
def test_payloads_of_every_published_version_still_parse(path: Path) -> None:
    message = parse_message(path.stem, path.read_bytes())
    assert message.event_id


def test_every_routing_key_has_an_old_payload_kept_for_this_test() -> None:
    kept = {path.stem for path in PAYLOADS.glob("v*/*.json")}
    assert kept == set(MESSAGE_TYPES)


def test_exported_schemas_are_up_to_date() -> None:
    expected = schema_documents()
    stale = [
        name
        for name, text in expected.items()
        if not (SCHEMAS / name).exists() or (SCHEMAS / name).read_text() != text
    ]
    extra = sorted(p.name for p in SCHEMAS.glob("*.json") if p.name not in expected)
    assert not stale, f"run `make schemas`: stale {stale}"
    assert not extra, f"remove schemas of messages that no longer exist: {extra}"
