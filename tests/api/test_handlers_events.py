"""``GET /api/v1/events``: every build.* message as it is published, on each replica."""

from __future__ import annotations

import pytest

from aftomato.common.messages import BuildQueued, BuildStarted
from tests.api.rig import ApiRig, build_id
from tests.api.sse_client import next_event

pytestmark = pytest.mark.integration


async def test_every_build_message_arrives_as_an_event(rig: ApiRig) -> None:
    async with rig.http.get(rig.url("/api/v1/events")) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        queued = BuildQueued(
            build_id=build_id(1), project_key="team/app", branch="main", reason="busy"
        )
        started = BuildStarted(
            build_id=build_id(1), project_key="team/app", branch="main", pod_name="p"
        )
        await rig.bus.publish(queued)
        await rig.bus.publish(started)
        first, second = await next_event(response), await next_event(response)
    assert (first.kind, first.event_id) == ("build.queued", queued.event_id)
    assert first.json()["reason"] == "busy"
    assert (second.kind, second.json()["pod_name"]) == ("build.started", "p")


async def test_a_quiet_stream_sends_keep_alive_comments(rig: ApiRig) -> None:
    async with rig.http.get(rig.url("/api/v1/events")) as response:
        lines = [await response.content.readline() for _ in range(4)]
    assert lines.count(b": keep-alive\n") >= 2
