"""Launch, cancel, rebuild and the queue through the API on real RabbitMQ and etcd."""

from __future__ import annotations

import io
from typing import Any

import pytest

from aftomato.common.messages import BuildCancelRequested, BuildRequested, Source
from aftomato.common.states import BuildState
from tests.api.rig import OPERATOR, T0, ApiRig, bearer, build_id, update

pytestmark = pytest.mark.integration


async def post(
    rig: ApiRig, path: str, body: Any = None, status: int = 202, key: str | None = None
) -> Any:
    headers = {**bearer(OPERATOR), **({"Idempotency-Key": key} if key else {})}
    async with rig.http.post(rig.url(path), json=body, headers=headers) as response:
        answer = await response.json()
        assert response.status == status, answer
        return answer


async def test_launch_publishes_build_requested_and_answers_where_to_look(rig: ApiRig) -> None:
    body = {
        "project": "team/app",
        "branch": "feature/x",
        "commit": "abc1234",
        "parameters": {"N": "1"},
    }
    answer = await post(rig, "/api/v1/builds", body)
    build = answer["build_id"]
    assert answer == {
        "build_id": build,
        "url": f"/api/v1/builds/{build}",
        "page": f"/builds/{build}",
        "state": "requested",
    }
    (request,) = await rig.heard_of(BuildRequested)
    assert isinstance(request, BuildRequested)
    assert (request.build_id, request.project_key, request.branch) == (
        build,
        "team/app",
        "feature/x",
    )
    assert (request.source, request.actor, request.commit) == (Source.API, "otto", "abc1234")
    assert request.parameters == {"N": "1"}


async def test_the_same_idempotency_key_and_body_name_the_same_build(rig: ApiRig) -> None:
    body = {"project": "team/app", "branch": "main"}
    first = await post(rig, "/api/v1/builds", body, key="k-1")
    again = await post(rig, "/api/v1/builds", body, key="k-1")
    other = await post(rig, "/api/v1/builds", body, key="k-2")
    changed = await post(rig, "/api/v1/builds", {**body, "branch": "dev"}, key="k-1")
    plain = [await post(rig, "/api/v1/builds", body) for _ in range(2)]
    assert first["build_id"] == again["build_id"]
    ids = {
        first["build_id"],
        other["build_id"],
        changed["build_id"],
        *(p["build_id"] for p in plain),
    }
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"project": "no/such", "branch": "main"}, 404, "no/such"),
        ({"project": "team/app", "branch": "a..b"}, 400, "branch"),
        ({"project": "team/app", "branch": "-rf"}, 400, "branch"),
        ({"project": "team/app", "branch": "main", "commit": "zz"}, 400, "commit"),
        (
            {"project": "team/app", "branch": "main", "parameters": {"BUILD_ID": "x"}},
            400,
            "BUILD_ID",
        ),
        ({"project": "team/app"}, 400, "branch"),
        ({"project": "team/app", "branch": "main", "colour": "red"}, 400, "colour"),
    ],
)
async def test_launch_refuses_bad_requests_naming_the_problem(
    rig: ApiRig, body: dict[str, Any], status: int, named: str
) -> None:
    answer = await post(rig, "/api/v1/builds", body, status)
    assert named in answer["error"]["message"]
    assert not [m for m in rig.heard if isinstance(m, BuildRequested)]


async def test_launch_refuses_bodies_that_are_not_json(rig: ApiRig) -> None:
    url, headers = rig.url("/api/v1/builds"), bearer(OPERATOR)
    async with rig.http.post(
        url, data="{nope", headers={**headers, "Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "bad_json"
    async with rig.http.post(
        url, data="project=x", headers={**headers, "Content-Type": "text/plain"}
    ) as response:
        assert response.status == 415
    async with rig.http.post(
        url,
        data=io.BytesIO(b'{"project": "' + b"x" * 1_100_000 + b'"}'),
        headers={**headers, "Content-Type": "application/json"},
    ) as response:
        assert response.status == 413
        assert (await response.json())["error"]["code"] == "request_entity_too_large"


async def test_cancel_publishes_the_request_and_refuses_final_builds(rig: ApiRig) -> None:
    await rig.record(update(1, BuildState.RUNNING), update(2, BuildState.FAILED, finished_at=T0))
    answer = await post(rig, f"/api/v1/builds/{build_id(1)}/cancel")
    assert answer == {"build_id": build_id(1), "state": "running"}
    (cancel,) = await rig.heard_of(BuildCancelRequested)
    assert isinstance(cancel, BuildCancelRequested)
    assert (cancel.build_id, cancel.actor) == (build_id(1), "otto")
    final = await post(rig, f"/api/v1/builds/{build_id(2)}/cancel", status=409)
    assert final["error"]["code"] == "already_final"
    await post(rig, f"/api/v1/builds/{build_id(3)}/cancel", status=404)


async def test_rebuild_launches_the_same_project_branch_and_commit(rig: ApiRig) -> None:
    await rig.record(update(4, BuildState.FAILED, branch="dev", commit="abcdef1", finished_at=T0))
    answer = await post(rig, f"/api/v1/builds/{build_id(4)}/rebuild")
    assert answer["build_id"] != build_id(4)
    (request,) = await rig.heard_of(BuildRequested)
    assert isinstance(request, BuildRequested)
    assert (request.project_key, request.branch, request.commit) == ("team/app", "dev", "abcdef1")
    assert request.build_id == answer["build_id"]


async def test_the_queue_closes_and_opens(rig: ApiRig) -> None:
    async with rig.http.get(rig.url("/api/v1/queue")) as response:
        assert await response.json() == {
            "open": True,
            "reason": None,
            "closed_by": None,
            "closed_at": None,
        }
    async with rig.http.put(
        rig.url("/api/v1/queue"),
        json={"open": False, "reason": "upgrade"},
        headers=bearer(OPERATOR),
    ) as response:
        closed = await response.json()
    assert (closed["open"], closed["reason"], closed["closed_by"]) == (False, "upgrade", "otto")
    assert await rig.coordination.get(rig.keys.queue_closed) is not None
    async with rig.http.put(
        rig.url("/api/v1/queue"), json={"open": True}, headers=bearer(OPERATOR)
    ) as response:
        assert (await response.json())["open"] is True
    assert await rig.coordination.get(rig.keys.queue_closed) is None
