"""What the scheduler announces for each kind of request, on the in-process bus and store."""

from __future__ import annotations

import asyncio

import pytest

from aftomato.common.bus import Delivery
from aftomato.common.coordination.gate import close_queue
from aftomato.common.messages import (
    BuildCancelRequested,
    BuildFinished,
    BuildQueued,
    BuildRequested,
    BuildScheduled,
    Message,
    RefType,
)
from aftomato.common.states import BuildState
from aftomato.scheduler.pods import CANCELLED_ANNOTATION
from aftomato.scheduler.settings import SchedulerSettings
from tests.scheduler.harness import NAMESPACE, Harness, Watcher, request
from tests.support.waiting import eventually, settled


class Announcements:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, delivery: Delivery) -> None:
        self.messages.append(delivery.message)

    def of(self, kind: type[Message], build_id: str) -> list[Message]:
        return [
            m
            for m in self.messages
            if isinstance(m, kind) and getattr(m, "build_id", None) == build_id
        ]

    def finished(self, build_id: str) -> BuildFinished | None:
        found = self.of(BuildFinished, build_id)
        return found[0] if found and isinstance(found[0], BuildFinished) else None


@pytest.fixture
async def heard(memory_harness: Harness) -> Announcements:
    announcements = Announcements()
    keys = ["build.queued", "build.scheduled", "build.finished"]
    await memory_harness.bus.subscribe("test-announcements", keys, announcements)
    return announcements


async def ended(heard: Announcements, sent: BuildRequested) -> BuildFinished:
    found = await eventually(lambda: heard.finished(sent.build_id), what="build.finished")
    return found


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (request("team/unknown"), "no project 'team/unknown'"),
        (request("team/main-only", "feature/x"), "branch 'feature/x' is not managed"),
        (request("team/queue-app").model_copy(update={"ref_type": RefType.TAG}), "tags"),
    ],
)
async def test_requests_a_project_does_not_build_end_cancelled_with_the_reason(
    memory_harness: Harness, heard: Announcements, sent: BuildRequested, reason: str
) -> None:
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(sent)
        finished = await ended(heard, sent)
    assert finished.state is BuildState.CANCELLED
    assert finished.reason is not None
    assert reason in finished.reason
    assert memory_harness.fake.counters.pods_created == 0


async def test_an_invalid_project_config_errors_the_build_naming_the_field(
    memory_harness: Harness, heard: Announcements
) -> None:
    sent = request("team/broken")
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(sent)
        finished = await ended(heard, sent)
    assert finished.state is BuildState.ERRORED
    assert finished.reason is not None
    assert "concurrency" in finished.reason


async def test_a_pod_the_api_refuses_errors_the_build_and_frees_the_branch(
    memory_harness: Harness, heard: Announcements
) -> None:
    refused, next_one = request("team/queue-app", "main", 1), request("team/queue-app", "main", 2)
    memory_harness.fake.fail_next("POST", "/pods", status=403, message="exceeded quota: builds")
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(refused)
        finished = await ended(heard, refused)
        await memory_harness.bus.publish(next_one)
        await eventually(lambda: heard.of(BuildScheduled, next_one.build_id), what="next pod")
    assert finished.state is BuildState.ERRORED
    assert finished.reason is not None
    assert "exceeded quota" in finished.reason


async def test_a_busy_branch_announces_the_wait_then_starts_the_next(
    memory_harness: Harness, heard: Announcements
) -> None:
    first, second = request("team/queue-app", "main", 1), request("team/queue-app", "main", 2)
    async with memory_harness.scheduler(), Watcher(memory_harness, seconds=0.2) as watcher:
        watcher.hold()
        await memory_harness.bus.publish(first)
        await eventually(lambda: heard.of(BuildScheduled, first.build_id), what="first pod")
        await memory_harness.bus.publish(second)
        (queued,) = await eventually(lambda: heard.of(BuildQueued, second.build_id))
        watcher.release()
        await eventually(lambda: heard.of(BuildScheduled, second.build_id), what="second pod")
    assert isinstance(queued, BuildQueued)
    assert first.build_id in queued.reason


async def test_a_redelivered_request_builds_once(
    memory_harness: Harness, heard: Announcements
) -> None:
    sent = request("team/queue-app")
    async with memory_harness.scheduler():
        for _ in range(3):
            await memory_harness.bus.publish(sent)
        await eventually(lambda: heard.of(BuildScheduled, sent.build_id))
        await asyncio.sleep(0.3)
    assert memory_harness.fake.counters.pods_created == 1


async def test_cancelling_a_waiting_build_removes_it(
    memory_harness: Harness, heard: Announcements
) -> None:
    first, second = request("team/queue-app", "main", 1), request("team/queue-app", "main", 2)
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(first)
        await memory_harness.bus.publish(second)
        await eventually(lambda: heard.of(BuildQueued, second.build_id))
        await memory_harness.bus.publish(
            BuildCancelRequested(build_id=second.build_id, actor="alice", reason="not needed")
        )
        finished = await ended(heard, second)
    assert (finished.state, finished.reason) == (BuildState.CANCELLED, "not needed")
    assert not await memory_harness.store.get_prefix(memory_harness.keys.queues)


async def test_cancelling_a_running_build_marks_and_deletes_its_pod(
    memory_harness: Harness, heard: Announcements
) -> None:
    sent = request("team/queue-app")
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(sent)
        (scheduled,) = await eventually(lambda: heard.of(BuildScheduled, sent.build_id))
        assert isinstance(scheduled, BuildScheduled)
        marked: list[str] = []
        await memory_harness.bus.publish(BuildCancelRequested(build_id=sent.build_id))
        await eventually(lambda: memory_harness.fake.counters.pods_deleted == 1, what="delete")
    for event in memory_harness.fake.store.history.since(0):
        notes = ((event.obj or {}).get("metadata") or {}).get("annotations") or {}
        if CANCELLED_ANNOTATION in notes:
            marked.append(notes[CANCELLED_ANNOTATION])
    assert set(marked) == {"cancelled by request"}  # on the patch and the deletion alike


async def test_cancel_previous_stops_the_running_build_for_the_newer_one(
    memory_harness: Harness, heard: Announcements
) -> None:
    older, newer = request("team/cancel-app", "main", 1), request("team/cancel-app", "main", 2)
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(older)
        await eventually(lambda: heard.of(BuildScheduled, older.build_id))
        await memory_harness.bus.publish(newer)
        await eventually(lambda: memory_harness.fake.counters.pods_deleted == 1, what="delete")
    assert [p["metadata"]["name"] for p in memory_harness.fake.pods(NAMESPACE)] == []


async def test_a_pod_not_created_for_an_api_outage_is_created_by_the_next_sweep(
    memory_harness: Harness, heard: Announcements
) -> None:
    memory_harness.settings = SchedulerSettings(sweep_seconds=0.2)
    memory_harness.fake.fail_next("POST", "/pods", status=503, times=5)
    sent = request("team/queue-app")
    async with memory_harness.scheduler():
        await memory_harness.bus.publish(sent)
        await eventually(lambda: heard.of(BuildScheduled, sent.build_id), within=30)
    assert memory_harness.fake.counters.pods_created == 1
    assert await settled(lambda: memory_harness.fake.counters.pods_created) == 1


async def test_a_request_held_by_a_closed_queue_or_the_limit_says_so(
    memory_harness: Harness, heard: Announcements
) -> None:
    memory_harness.settings = SchedulerSettings(max_running=1)
    running, limited, closed = (request("team/queue-app", b) for b in ("a", "b", "c"))
    async with memory_harness.scheduler(), Watcher(memory_harness) as watcher:
        watcher.hold()
        await memory_harness.bus.publish(running)
        await eventually(lambda: heard.of(BuildScheduled, running.build_id))
        await memory_harness.bus.publish(limited)
        (by_limit,) = await eventually(lambda: heard.of(BuildQueued, limited.build_id))
        await close_queue(memory_harness.store, memory_harness.keys, by="test")
        await memory_harness.bus.publish(closed)
        (by_gate,) = await eventually(lambda: heard.of(BuildQueued, closed.build_id))
    assert isinstance(by_limit, BuildQueued)
    assert by_limit.reason == "the limit of 1 running builds is reached"
    assert isinstance(by_gate, BuildQueued)
    assert by_gate.reason == "the queue is closed"
