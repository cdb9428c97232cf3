"""Each SCM's reporter against the fake SCM server: the documented request shape, every
transition once and in order, 5xx answers and rate limits retried (``Retry-After`` honoured)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aftomato.common.messages import Source
from aftomato.common.states import BuildState
from tests.support.fake_scm import Answer, FakeScm
from tests.watcher.reporting.harness import PROJECTS, PUBLIC_URL, Build, harness, settings_for

EXPECTED = {
    "github": ["pending", "pending", "pending", "success"],
    "gitlab": ["pending", "running", "success"],
    "bitbucket-server": ["INPROGRESS", "INPROGRESS", "INPROGRESS", "SUCCESSFUL"],
    "bitbucket-cloud": ["INPROGRESS", "INPROGRESS", "INPROGRESS", "SUCCESSFUL"],
    "gitea": ["pending", "pending", "pending", "success"],
}
FAILED = {
    "github": "failure",
    "gitlab": "failed",
    "bitbucket-server": "FAILED",
    "bitbucket-cloud": "FAILED",
    "gitea": "failure",
}


@pytest.mark.parametrize("provider", sorted(EXPECTED))
async def test_every_transition_is_reported_once_in_order(
    provider: str, scm: FakeScm, tmp_path: Path
) -> None:
    build = Build(Source(provider), PROJECTS[provider])
    async with harness(tmp_path, settings_for(scm, provider)) as rig:
        for message in (build.requested(), build.queued(), build.started(), build.finished()):
            assert await rig.deliver(message) is None
            assert await rig.deliver(message, count=2) is None  # a redelivery says nothing new
    assert scm.problems == []
    assert scm.states(provider, build.commit) == EXPECTED[provider]
    received = scm.statuses[-1]
    assert received.repository == PROJECTS[provider]
    link = received.body.get("target_url") or received.body.get("url")
    assert link == f"{PUBLIC_URL}/builds/{build.build_id}"
    assert received.body.get("description") == "Build succeeded"


@pytest.mark.parametrize("provider", sorted(EXPECTED))
async def test_server_errors_and_rate_limits_are_retried(
    provider: str, scm: FakeScm, tmp_path: Path
) -> None:
    build = Build(Source(provider), PROJECTS[provider])
    async with harness(tmp_path, settings_for(scm, provider)) as rig:
        assert await rig.deliver(build.requested()) is None
        scm.answer_next(Answer.server_error(503), Answer.rate_limited(retry_after=1))
        assert await rig.deliver(build.started()) is None
        assert await rig.deliver(build.finished(BuildState.FAILED)) is None
    assert scm.problems == []
    assert scm.states(provider)[-1] == FAILED[provider]
    assert len(scm.states(provider)) == 3
    (_, limited), (_, after_limit) = scm.attempts[2], scm.attempts[3]
    assert after_limit - limited >= 0.95, "Retry-After: 1 was not waited for"


async def test_github_primary_rate_limit_waits_for_the_reset(scm: FakeScm, tmp_path: Path) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        scm.answer_next(Answer.github_rate_limited(reset_in=2))
        assert await rig.deliver(build.requested()) is None
    (_, limited), (_, retried) = scm.attempts
    assert retried - limited >= 0.9
    assert scm.states("github") == ["pending"]


async def test_an_scm_down_longer_than_the_retries_defers_to_redelivery(
    scm: FakeScm, tmp_path: Path
) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        assert await rig.deliver(build.requested()) is None
        scm.answer_next(*[Answer.server_error(500)] * 4)
        retry = await rig.deliver(build.started())
        assert retry is not None
        assert "500" in retry.reason
        assert await rig.deliver(build.started(), count=2) is None
        assert await rig.deliver(build.finished()) is None
    assert scm.states("github") == ["pending", "pending", "success"]
    assert scm.problems == []


async def test_late_and_out_of_order_messages_never_move_the_status_back(
    scm: FakeScm, tmp_path: Path
) -> None:
    build = Build(Source.GITEA, "octo/app")
    async with harness(tmp_path, settings_for(scm, "gitea")) as rig:
        assert await rig.deliver(build.requested()) is None
        assert await rig.deliver(build.finished(BuildState.ERRORED)) is None
        assert await rig.deliver(build.started()) is None
        assert await rig.deliver(build.queued()) is None
        assert await rig.deliver(build.finished(BuildState.CANCELLED)) is None
    assert scm.states("gitea") == ["pending", "error"]
    assert scm.statuses[-1].body["description"] == "Build could not run: the build errored"


async def test_a_refused_status_is_not_retried_and_later_states_still_go(
    scm: FakeScm, tmp_path: Path
) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        scm.answer_next(Answer(422, body={"message": "Validation Failed"}))
        assert await rig.deliver(build.requested()) is None
        assert await rig.deliver(build.finished()) is None
    assert scm.states("github") == ["success"]
    assert len(scm.attempts) == 2


async def test_builds_from_unconfigured_sources_get_no_status(scm: FakeScm, tmp_path: Path) -> None:
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        for source in (Source.API, Source.GITLAB):
            build = Build(source, "octo/app")
            assert await rig.deliver(build.requested()) is None
            assert await rig.deliver(build.finished()) is None
    assert scm.attempts == []


async def test_with_no_scm_and_no_notices_no_record_is_read(scm: FakeScm, tmp_path: Path) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm)) as rig:
        for message in (build.started(), build.finished()):
            # no record written: reading it would wait for it (a Retry)
            assert await rig.deliver(message, record=False) is None
    assert scm.attempts == []


async def test_a_message_before_its_record_waits_for_it(scm: FakeScm, tmp_path: Path) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        retry = await rig.deliver(build.started(), record=False)
        assert retry is not None
        assert "record" in retry.reason
    assert scm.attempts == []


async def test_a_claim_left_by_a_dead_reporter_is_taken_over(scm: FakeScm, tmp_path: Path) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with harness(tmp_path, settings_for(scm, "github")) as rig:
        assert await rig.deliver(build.requested()) is None
        rig.reporting.ledger.claim_seconds = 1.0
        started = build.started()
        # A reporter claimed `running`, then died before sending it.
        await rig.reporting.ledger.claim(build.build_id, build.commit, BuildState.RUNNING)
        finishing = asyncio.create_task(rig.deliver(build.finished()))
        assert await rig.deliver(started, count=2) is None  # the redelivery takes over
        assert await finishing is None  # and success waited for it
    assert [s.body["description"] for s in scm.statuses] == [
        "Build requested",
        "Build running",
        "Build succeeded",
    ]
