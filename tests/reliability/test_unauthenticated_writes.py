"""Every state-changing call of the API, as its OpenAPI document lists them (so a new one is
covered the day it is added), is refused without a valid operator token (docs/reliability.md).

The api runs in process on the api suite's rig (real RabbitMQ, etcd, moto); everything it
publishes is heard, so a refused call that still did something shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.states import BuildState
from tests.api.conftest import make_rig, rig
from tests.api.rig import VIEWER, ApiRig, bearer, build_id, update
from tests.support.waiting import settled

__all__ = ["make_rig", "rig"]  # the api suite's fixtures, used here as they are

pytestmark = pytest.mark.integration

STATE_CHANGING = ("post", "put", "patch", "delete")
SIGN_IN = "/api/v1/session"
"""Public by design (docs/api.md): it takes the token itself, and signing out clears only the
caller's own cookies. Its refusal of an unknown token is checked below."""
REFUSALS = {"no credentials": ({}, 401), "an unknown token": (bearer("unknown" * 4), 401)}
REFUSALS["a viewer token"] = (bearer(VIEWER), 403)


def state_changing_calls(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in STATE_CHANGING and path != SIGN_IN
    )


def concrete(path: str, build: str) -> str:
    """The path with every parameter filled: a build that exists, other names made up."""
    return path.replace("{id}", build).replace("{build_id}", build)


async def test_every_state_changing_call_needs_an_operator_token(rig: ApiRig) -> None:
    running = build_id(1)
    await rig.record(update(1), update(1, BuildState.RUNNING))
    async with rig.http.get(rig.url("/api/v1/openapi.json")) as answer:
        calls = state_changing_calls(await answer.json())
    assert ("POST", "/api/v1/builds") in calls
    assert ("PUT", "/api/v1/queue") in calls

    refused = []
    for method, path in calls:
        url = rig.url(concrete(path, running))
        for who, (headers, _status) in REFUSALS.items():
            async with rig.http.request(method, url, json={}, headers=headers) as answer:
                body = await answer.json()
                refused.append((method, path, who, answer.status, sorted(body.get("error", {}))))
    expected = [
        (method, path, who, status, ["code", "message"])
        for method, path in calls
        for who, (_, status) in REFUSALS.items()
    ]
    assert refused == expected
    await settled(lambda: len(rig.heard), quiet=0.5)
    assert rig.heard == []
    record = await rig.records.get(running)
    assert record is not None
    assert record.state is BuildState.RUNNING


async def test_signing_in_with_an_unknown_token_is_refused(rig: ApiRig) -> None:
    async with rig.http.post(rig.url(SIGN_IN), json={"token": "unknown" * 4}) as answer:
        assert answer.status == 401
        assert set((await answer.json())["error"]) == {"code", "message"}
        assert "aftomato_session" not in answer.cookies
