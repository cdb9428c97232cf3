"""Console logs through the API: stored (gzip or not), followed live from the pod log, as SSE
that resumes, switching to the stored log when the build ends without losing or repeating."""

from __future__ import annotations

import gzip

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.api.rig import NAMESPACE, T0, ApiRig, build_id, update
from tests.api.sse_client import events_until, next_event

pytestmark = pytest.mark.integration

LOG = "one\n\x1b[32mtwo\x1b[0m\nthree\n"


async def finish(rig: ApiRig, number: int, full_log: str) -> None:
    """What the watcher does when a build ends: keep its log, then record the outcome."""
    await rig.keep_log(build_id(number), full_log)
    await rig.record(
        update(number, BuildState.SUCCEEDED, exit_code=0, finished_at=T0, log_location="s3://x")
    )


async def test_a_stored_log_as_text_or_passed_through_gzipped(rig: ApiRig) -> None:
    await rig.record(update(1))
    await finish(rig, 1, LOG)
    url = rig.url(f"/api/v1/builds/{build_id(1)}/log")
    async with rig.http.get(url, headers={"Accept-Encoding": "identity"}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Encoding" not in response.headers
        assert await response.text() == LOG
    async with (
        aiohttp.ClientSession(auto_decompress=False) as raw,
        raw.get(url, headers={"Accept-Encoding": "gzip"}) as response,
    ):
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(await response.read()).decode() == LOG


async def test_a_running_build_has_no_stored_log_yet(rig: ApiRig) -> None:
    await rig.record(update(2, BuildState.RUNNING))
    async with rig.http.get(rig.url(f"/api/v1/builds/{build_id(2)}/log")) as response:
        assert response.status == 404
        assert "follow=1" in (await response.json())["error"]["message"]


async def test_log_events_follow_the_pod_then_switch_to_the_stored_log(rig: ApiRig) -> None:
    assert rig.fake is not None
    pod = await rig.run_pod(3)
    await rig.record(update(3, BuildState.RUNNING, pod_name=pod))
    rig.fake.append_log(NAMESPACE, pod, "build", "one\n\x1b[32mtwo\x1b[0m\n")
    url = rig.url(f"/api/v1/builds/{build_id(3)}/log/events")
    async with rig.http.get(url) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        first, second = await next_event(response), await next_event(response)
        assert (first.json(), first.event_id) == ({"n": 1, "text": "one"}, "1")
        assert second.json() == {"n": 2, "text": "\x1b[32mtwo\x1b[0m"}
        rig.fake.append_log(NAMESPACE, pod, "build", "thr")
        rig.fake.append_log(NAMESPACE, pod, "build", "ee\n")
        assert (await next_event(response)).json() == {"n": 3, "text": "three"}
        rig.fake.finish_log(NAMESPACE, pod, "build")
        # The stored copy holds a line the live stream never showed: it must come, once.
        await finish(rig, 3, LOG + "four\n")
        rest = await events_until(response, "end")
    assert [event.json() for event in rest] == [{"n": 4, "text": "four"}, {"state": "succeeded"}]


async def test_log_events_resume_after_the_last_event_id(rig: ApiRig) -> None:
    await rig.record(update(4))
    await finish(rig, 4, LOG)
    url = rig.url(f"/api/v1/builds/{build_id(4)}/log/events")
    async with rig.http.get(url, headers={"Last-Event-ID": "2"}) as response:
        events = await events_until(response, "end")
    assert [(e.kind, e.event_id) for e in events] == [("line", "3"), ("end", None)]


async def test_a_followed_log_streams_until_the_build_ends(rig: ApiRig) -> None:
    assert rig.fake is not None
    pod = await rig.run_pod(5)
    await rig.record(update(5, BuildState.RUNNING, pod_name=pod))
    rig.fake.append_log(NAMESPACE, pod, "build", "one\n")
    url = rig.url(f"/api/v1/builds/{build_id(5)}/log")
    async with rig.http.get(url, params={"follow": "1"}) as response:
        assert await response.content.readline() == b"one\n"
        rig.fake.append_log(NAMESPACE, pod, "build", "\x1b[32mtwo\x1b[0m\nthree\n")
        rig.fake.finish_log(NAMESPACE, pod, "build")
        rig.fake.finish_container(NAMESPACE, pod, "build", 0)
        await finish(rig, 5, LOG)
        assert await response.read() == LOG.removeprefix("one\n").encode()


async def test_a_build_waiting_for_its_pod_is_followed_once_it_runs(rig: ApiRig) -> None:
    assert rig.fake is not None
    await rig.record(update(6, BuildState.QUEUED))
    url = rig.url(f"/api/v1/builds/{build_id(6)}/log/events")
    async with rig.http.get(url) as response:
        pod = await rig.run_pod(6)
        await rig.record(update(6, BuildState.RUNNING, pod_name=pod))
        rig.fake.append_log(NAMESPACE, pod, "build", "started\n")
        assert (await next_event(response)).json() == {"n": 1, "text": "started"}


async def test_unknown_builds_have_no_log(rig: ApiRig) -> None:
    for path in ("log", "log/events"):
        async with rig.http.get(rig.url(f"/api/v1/builds/{build_id(77)}/{path}")) as response:
            assert response.status == 404
            assert (await response.json())["error"]["code"] == "unknown_build"
