"""Reporting inside the real watcher (the watcher's rig: real RabbitMQ, etcd and moto, the fake
Kubernetes API) against the fake SCM. Statuses follow real messages, and an SCM that is down
never holds up a record."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from aftomato.common.messages import Source
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.sender import RetryPolicy
from aftomato.watcher.reporting.wiring import ReportingWiring, open_reporting
from tests.support.fake_scm import FakeScm
from tests.support.waiting import eventually, eventually_async
from tests.watcher.reporting.harness import FAST, Build, settings_for
from tests.watcher.rig import OpenReporting, Rig

pytestmark = pytest.mark.integration

PATIENT = RetryPolicy(attempts=2, base_delay=1.0, max_wait=5.0, timeout=5.0)
"""About three seconds a delivery while the SCM is down."""


def github_reporting(scm: FakeScm, rig: Rig, policy: RetryPolicy) -> OpenReporting:
    async def open_(stack: AsyncExitStack, records: BuildStore) -> ReportingWiring:
        settings = settings_for(scm, "github")
        return await open_reporting(
            stack,
            settings,
            records=records,
            coordination=rig.coordination,
            prefix=rig.keys.prefix,
            policy=policy,
        )

    return open_


async def test_statuses_follow_the_build_messages(rig: Rig, scm: FakeScm) -> None:
    build = Build(Source.GITHUB, "octo/app")
    async with rig.watcher(reporting=github_reporting(scm, rig, FAST)):
        await rig.bus.publish(build.requested())
        await eventually(lambda: scm.states("github") == ["pending"], what="pending")
        await rig.bus.publish(build.started())
        await eventually(lambda: len(scm.statuses) == 2, what="running")
        await rig.bus.publish(build.finished())
        await eventually(lambda: len(scm.statuses) == 3, what="success")
    assert [(s.state, s.body["description"]) for s in scm.statuses] == [
        ("pending", "Build requested"),
        ("pending", "Build running"),
        ("success", "Build succeeded"),
    ]
    assert scm.problems == []


async def test_an_scm_that_is_down_does_not_hold_up_records(rig: Rig, scm: FakeScm) -> None:
    build = Build(Source.GITHUB, "octo/app", number=2)
    finished = build.finished(BuildState.FAILED)
    scm.down()
    async with rig.watcher(reporting=github_reporting(scm, rig, PATIENT)) as parts:
        for message in (build.requested(), build.started(), finished):
            await rig.bus.publish(message)

        async def recorded() -> bool:
            record = await parts.tracker.records.get(build.build_id)
            return record is not None and record.state is BuildState.FAILED

        await eventually_async(recorded, within=60, what="the failed build's record")
        assert scm.statuses == []
        assert scm.attempts, "reporting did not even try"
        scm.up()
        # Published again, as at-least-once delivery may: on a slow machine the first copies
        # may have used up their deliveries while the SCM was down.
        await rig.bus.publish(finished)
        await eventually(
            lambda: scm.states("github")[-1:] == ["failure"], within=60, what="the failure"
        )
    # Whichever earlier message is redelivered first once the SCM is back wins; none goes back.
    lifecycle = ["Build requested", "Build running", "Build failed: the build failed"]
    descriptions = [s.body["description"] for s in scm.statuses]
    assert descriptions == [d for d in lifecycle if d in descriptions], descriptions
    assert scm.problems == []
