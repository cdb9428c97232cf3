"""Reading through the API on real services: projects, history pages, active, waiting, one build."""

from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.states import BuildState
from tests.api.rig import T0, ApiRig, build_id, update

pytestmark = pytest.mark.integration


async def get(rig: ApiRig, path: str, status: int = 200, **params: Any) -> Any:
    async with rig.http.get(rig.url(path), params=params) as response:
        body = await response.json()
        assert response.status == status, body
        return body


async def test_history_pages_newest_first_with_cursors(rig: ApiRig) -> None:
    for number in range(1, 8):
        await rig.record(update(number))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"project": "team/app", "limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await get(rig, "/api/v1/builds", 200, **params)
        seen += [build["build_id"] for build in page["builds"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == [build_id(n) for n in range(7, 0, -1)]


async def test_history_filters_by_branch_and_since(rig: ApiRig) -> None:
    await rig.record(update(1), update(2, branch="dev"), update(3), update(4, branch="dev"))
    dev = await get(rig, "/api/v1/builds", project="team/app", branch="dev")
    assert [b["build_id"] for b in dev["builds"]] == [build_id(4), build_id(2)]
    since = (T0.replace(minute=3)).isoformat()
    recent = await get(rig, "/api/v1/builds", project="team/app", since=since)
    assert [b["build_id"] for b in recent["builds"]] == [build_id(4), build_id(3)]


async def test_history_refuses_bad_queries_naming_them(rig: ApiRig) -> None:
    missing = await get(rig, "/api/v1/builds", 400)
    assert "project" in missing["error"]["message"]
    wide = await get(rig, "/api/v1/builds", 400, project="team/app", limit="101")
    assert wide["error"]["code"] == "invalid_limit"
    cursor = await get(rig, "/api/v1/builds", 400, project="team/app", cursor="nonsense")
    assert cursor["error"]["code"] == "invalid_cursor"
    since = await get(rig, "/api/v1/builds", 400, project="team/app", since="yesterday")
    assert "since" in since["error"]["message"]


async def test_active_and_waiting_oldest_first(rig: ApiRig) -> None:
    await rig.record(
        update(1, BuildState.RUNNING, pod_name="build-1"),
        update(2, BuildState.QUEUED),
        update(3),
        update(4, BuildState.SUCCEEDED, exit_code=0, finished_at=T0),
    )
    active = await get(rig, "/api/v1/builds/active")
    assert [b["build_id"] for b in active["builds"]] == [build_id(1), build_id(2), build_id(3)]
    waiting = await get(rig, "/api/v1/builds/waiting")
    assert [b["build_id"] for b in waiting["builds"]] == [build_id(2), build_id(3)]


async def test_one_build_in_the_documented_shape(rig: ApiRig) -> None:
    await rig.record(update(5, BuildState.RUNNING, commit="abc1234", actor="alice"))
    build = await get(rig, f"/api/v1/builds/{build_id(5)}")
    assert build["state"] == "running"
    assert build["is_building"] is True
    assert build["requested_at"] == "2026-01-01T00:05:00Z"
    assert build["links"] == {
        "self": f"/api/v1/builds/{build_id(5)}",
        "page": f"/builds/{build_id(5)}",
        "log": f"/api/v1/builds/{build_id(5)}/log",
        "artifacts": f"/api/v1/builds/{build_id(5)}/artifacts",
    }
    unknown = await get(rig, f"/api/v1/builds/{build_id(99)}", 404)
    assert unknown["error"]["code"] == "unknown_build"
    malformed = await get(rig, "/api/v1/builds/not-a-build", 404)
    assert "build id" in malformed["error"]["message"]


async def test_projects_with_config_summary_and_last_build(rig: ApiRig) -> None:
    await rig.record(update(1), update(2))
    listing = await get(rig, "/api/v1/projects")
    keys = [project["key"] for project in listing["projects"]]
    assert keys == ["broken", "team/app", "team/lib"]
    app = await get(rig, "/api/v1/projects/team/app")
    assert app["config"]["concurrency"] == "supersede"
    assert app["config"]["timeout"] == 600
    assert app["last_build"]["build_id"] == build_id(2)
    assert app["links"]["builds"] == "/api/v1/builds?project=team%2Fapp"
    broken = await get(rig, "/api/v1/projects/broken")
    assert broken["config"] is None
    assert "concurrency" in broken["config_error"]
    unknown = await get(rig, "/api/v1/projects/no/such", 404)
    assert unknown["error"]["code"] == "unknown_project"


async def test_unknown_routes_and_methods_answer_json_errors(rig: ApiRig) -> None:
    missing = await get(rig, "/api/v1/nothing-here", 404)
    assert missing["error"]["code"] == "not_found"
    async with rig.http.delete(rig.url("/api/v1/builds/active")) as response:
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
    assert await get(rig, "/api/v1/version") == {"version": "0.1.0", "api": "v1"}
