"""A launch becomes build.requested; the same key and body always name the same build."""

from __future__ import annotations

from datetime import UTC, datetime

from aftomato.api.launch import build_request
from aftomato.api.models import LaunchRequest
from aftomato.common.messages import Source

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def launch(key: str | None, scope: str = "", **body: object) -> str:
    request = LaunchRequest.model_validate({"project": "team/app", "branch": "main", **body})
    message = build_request(request, actor="otto", idempotency_key=key, now=NOW, scope=scope)
    assert (message.source, message.actor, message.requested_at) == (Source.API, "otto", NOW)
    assert len(message.build_id) == 32
    return message.build_id


def test_a_key_with_the_same_body_names_the_same_build() -> None:
    assert launch("k") == launch("k")
    assert launch("k", parameters={"A": "1", "B": "2"}) == launch(
        "k", parameters={"B": "2", "A": "1"}
    )


def test_anything_else_names_another_build() -> None:
    builds = {
        launch("k"),
        launch("other"),
        launch("k", branch="dev"),
        launch("k", commit="abcdef1"),
        launch("k", scope="rebuild:x"),
        launch(None),
        launch(None),
    }
    assert len(builds) == 7
