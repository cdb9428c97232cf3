"""The pure helpers behind the pages: durations, times, sizes, links, the recent list."""

from __future__ import annotations

from typing import Any

import pytest

from aftomato.api.web import views
from aftomato.api.web.pages import local_path
from tests.api.web.memory_reader import make_build


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0, "0s"), (59.6, "1m 00s"), (75, "1m 15s"), (3600, "1h 00m"), (-3, "0s")],
)
def test_duration(seconds: float | None, shown: str) -> None:
    assert views.duration(seconds) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-11-25T06:00:00Z", "2026-11-25 06:00:00 UTC"),
        ("2026-11-25T08:00:00+02:00", "2026-11-25 06:00:00 UTC"),
        ("2026-11-25T06:00:00", "2026-11-25 06:00:00 UTC"),
        ("yesterday", "—"),
        (None, "—"),
    ],
)
def test_when(value: str | None, shown: str) -> None:
    assert views.when(value) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [(None, "—"), (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB")],
)
def test_size(count: int | None, shown: str) -> None:
    assert views.size(count) == shown


def test_project_path_keeps_slashes_and_encodes_the_rest() -> None:
    assert views.project_path("group/sub/app") == "/projects/group/sub/app"
    assert views.project_path('a b/"c"?#') == "/projects/a%20b/%22c%22%3F%23"
    assert views.build_path("ab/../x") == "/builds/ab%2F..%2Fx"


def test_with_query_drops_empty_values() -> None:
    assert views.with_query("/p", branch=None, cursor="") == "/p"
    assert views.with_query("/p", branch="a&b", cursor="c") == "/p?branch=a%26b&cursor=c"


def test_states_and_roles() -> None:
    assert views.is_final("timed_out")
    assert not views.is_final("running")
    assert not views.is_final("no-such-state")
    assert views.state_meaning("failed").startswith("the build script exited")
    assert views.state_meaning("???") == "unknown state"
    assert views.can_operate(type("P", (), {"role": "admin"})())
    assert not views.can_operate(type("P", (), {"role": "viewer"})())
    assert not views.can_operate(None)


def test_recent_builds_are_the_last_of_each_project_newest_first() -> None:
    old = make_build("a/a", requested_at="2026-11-24T00:00:00Z")
    new = make_build("b/b", requested_at="2026-11-25T00:00:00Z")
    undated = make_build("c/c", requested_at=None)
    projects: list[dict[str, Any]] = [
        {"last_build": old},
        {"last_build": None},
        {"last_build": new},
        {"last_build": undated},
    ]
    assert views.recent_builds(projects) == [new, old, undated]
    assert views.recent_builds(projects, limit=1) == [new]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/queue", "/queue"),
        ("/b?x=1", "/b?x=1"),
        ("//x.example", "/"),
        ("http://x", "/"),
        ("/\\x.example", "/"),
        ("/a\nb", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_local_path(given: str | None, kept: str) -> None:
    assert local_path(given) == kept
