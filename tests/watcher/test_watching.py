"""The watcher on real RabbitMQ, etcd and moto, with the fake Kubernetes API driving pod phases."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import pytest

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.blobs.store import console_log_key, read_all
from aftomato.common.messages import BuildFinished, BuildRequested, BuildStarted
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.model import BuildRecord
from aftomato.common.states import BuildState
from aftomato.scheduler.pods import CANCELLED_ANNOTATION
from tests.support.fake_kube import FakeKube
from tests.support.waiting import eventually, eventually_async
from tests.watcher.rig import NAMESPACE, Rig, pod_exists, pod_of

pytestmark = pytest.mark.integration


async def record_of(rig: Rig, request: BuildRequested) -> BuildRecord | None:
    store = await DynamoDbStore.connect(rig.aws)
    try:
        return await store.get(request.build_id)
    finally:
        await store.close()


async def final_record(rig: Rig, request: BuildRequested) -> BuildRecord:
    async def final() -> BuildRecord | None:
        record = await record_of(rig, request)
        return record if record is not None and record.state.is_final else None

    return await eventually_async(final, within=30, what="the final record")


async def console_log(rig: Rig, request: BuildRequested) -> str:
    logs = await S3BlobStore.connect(rig.aws, rig.aws.logs_bucket)
    try:
        return gzip.decompress(await read_all(logs, console_log_key(request.build_id))).decode()
    finally:
        await logs.close()


async def lock_released(rig: Rig, request: BuildRequested) -> bool:
    async def released() -> bool:
        return not await rig.lock_held(request)

    return await eventually_async(released, what="the lock released")


def run_build(fake: FakeKube, request: BuildRequested, lines: str, exit_code: int) -> None:
    """Play kubelet: the scripts clone succeeds, the build runs, prints, and exits."""
    name = pod_of(request)
    fake.finish_container(NAMESPACE, name, "scripts", exit_code=0)
    fake.start_container(NAMESPACE, name, "build")
    fake.append_log(NAMESPACE, name, "build", lines)


async def test_a_successful_build_is_recorded_with_its_log_and_its_lock_released(
    rig: Rig,
) -> None:
    async with rig.watcher():
        request = await rig.launch(1)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "hello from build.sh\n", 0)
        await eventually(lambda: rig.of(BuildStarted, request.build_id), what="build.started")
        rig.fake.finish_container(NAMESPACE, pod_of(request), "build", exit_code=0)
        rig.fake.finish_log(NAMESPACE, pod_of(request), "build")
        record = await final_record(rig, request)
        await eventually(lambda: not pod_exists(rig.fake, request), what="the pod deleted")
    assert record.state is BuildState.SUCCEEDED
    assert record.exit_code == 0
    assert record.log_location is not None
    assert record.commit == "a" * 40
    assert record.elapsed_seconds is not None
    assert await console_log(rig, request) == "hello from build.sh\n"
    assert await lock_released(rig, request)
    (finished,) = rig.of(BuildFinished, request.build_id)
    assert isinstance(finished, BuildFinished)
    assert finished.state is BuildState.SUCCEEDED


Drive = Callable[[FakeKube, str], None]


def exits_3(fake: FakeKube, name: str) -> None:
    fake.finish_container(NAMESPACE, name, "build", exit_code=3)


def oom(fake: FakeKube, name: str) -> None:
    fake.finish_container(NAMESPACE, name, "build", exit_code=137, reason="OOMKilled")


def evicted(fake: FakeKube, name: str) -> None:
    fake.set_phase(NAMESPACE, name, "Failed", reason="Evicted", message="node low on memory")


def deadline(fake: FakeKube, name: str) -> None:
    """The kubelet marks the pod first, then its killed container (one update or two)."""
    fake.set_phase(NAMESPACE, name, "Failed", reason="DeadlineExceeded", message="too long")
    fake.finish_container(NAMESPACE, name, "build", exit_code=137)


@pytest.mark.parametrize(
    ("drive", "state", "reason", "exit_code"),
    [
        (exits_3, BuildState.FAILED, "exited with code 3", 3),
        (oom, BuildState.ERRORED, "OOMKilled", 137),
        (evicted, BuildState.ERRORED, "evicted", None),
        (deadline, BuildState.TIMED_OUT, "timeout", None),
    ],
    ids=["failed", "oom", "evicted", "deadline"],
)
async def test_each_way_a_build_ends_is_recorded_with_its_reason(
    rig: Rig, drive: Drive, state: BuildState, reason: str, exit_code: int | None
) -> None:
    async with rig.watcher():
        request = await rig.launch(2)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "working...\n", 0)
        drive(rig.fake, pod_of(request))
        record = await final_record(rig, request)
    assert record.state is state
    assert record.reason is not None
    assert reason.lower() in record.reason.lower()
    if exit_code is not None:
        assert record.exit_code == exit_code
    assert await console_log(rig, request) == "working...\n"
    assert await lock_released(rig, request)


async def test_a_build_whose_scripts_cannot_be_cloned_errors(rig: Rig) -> None:
    async with rig.watcher():
        request = await rig.launch(3)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        rig.fake.finish_container(NAMESPACE, pod_of(request), "scripts", exit_code=128)
        rig.fake.set_phase(NAMESPACE, pod_of(request), "Failed")
        record = await final_record(rig, request)
    assert record.state is BuildState.ERRORED
    assert record.reason is not None
    assert "build scripts" in record.reason


async def test_a_pod_the_scheduler_cancelled_is_recorded_cancelled(rig: Rig) -> None:
    async with rig.watcher():
        request = await rig.launch(4)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "started\n", 0)
        name = pod_of(request)

        def mark(pod: dict[str, Any]) -> dict[str, Any]:
            pod["metadata"].setdefault("annotations", {})[CANCELLED_ANNOTATION] = "by alice"
            return pod

        rig.fake.store.update(NAMESPACE, name, mark, None)
        rig.fake.finish_container(NAMESPACE, name, "build", exit_code=143)
        record = await final_record(rig, request)
    assert record.state is BuildState.CANCELLED
    assert record.reason is not None
    assert "by alice" in record.reason


def log_follows(fake: FakeKube, name: str) -> int:
    """How many times the pod's log was asked to be followed. Once the fake has the request, the
    follower reads from the log it found, even after the pod is gone."""
    path = f"/api/v1/namespaces/{NAMESPACE}/pods/{name}/log"
    return sum(1 for r in fake.requests if r.path == path and _follows(r.query))


def _follows(query: str) -> bool:
    return parse_qs(query).get("follow", [""])[0].lower() == "true"  # the client sends "True"


def cancel_and_delete(pod: dict[str, Any]) -> dict[str, Any]:
    """What the scheduler's cancel does to a pod: mark it, then delete it with a grace period."""
    metadata = pod["metadata"]
    metadata.setdefault("annotations", {})[CANCELLED_ANNOTATION] = "by alice"
    metadata["deletionTimestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata["deletionGracePeriodSeconds"] = 30
    return pod


@pytest.mark.parametrize(
    "removed_at_once",
    [
        pytest.param(False, id="pod-stays-a-moment"),
        # As on a real node: a terminating pod is removed the moment its containers stop, so
        # only a log followed while it stopped has the build's last lines.
        pytest.param(True, id="pod-removed-at-once"),
    ],
)
async def test_a_cancelled_pod_still_stopping_keeps_its_whole_log(
    rig: Rig, removed_at_once: bool
) -> None:
    async with rig.watcher():
        request = await rig.launch(8)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "started\n", 0)
        name = pod_of(request)
        followed = log_follows(rig.fake, name)
        rig.fake.store.update(NAMESPACE, name, cancel_and_delete, None)
        # The watcher sees the terminating pod and follows its log; the build runs on meanwhile.
        await eventually(lambda: log_follows(rig.fake, name) > followed, what="the log followed")
        rig.fake.append_log(NAMESPACE, name, "build", "cleaning up on SIGTERM\n")
        rig.fake.finish_container(NAMESPACE, name, "build", exit_code=143)
        if removed_at_once:
            rig.fake.store.remove(NAMESPACE, name)
        record = await final_record(rig, request)
    assert record.state is BuildState.CANCELLED
    assert record.finished_at is not None
    assert await console_log(rig, request) == "started\ncleaning up on SIGTERM\n"


async def test_a_watcher_stopped_mid_build_and_restarted_completes_the_record(
    rig: Rig,
) -> None:
    async with rig.watcher(abrupt=True):  # killed while the build runs
        request = await rig.launch(5)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "half...\n", 0)

        async def running() -> bool:
            record = await record_of(rig, request)
            return record is not None and record.state is BuildState.RUNNING

        await eventually_async(running, what="the running record")
    rig.fake.append_log(NAMESPACE, pod_of(request), "build", "...done\n")
    rig.fake.finish_container(NAMESPACE, pod_of(request), "build", exit_code=0)
    rig.fake.finish_log(NAMESPACE, pod_of(request), "build")
    async with rig.watcher():
        record = await final_record(rig, request)
    assert record.state is BuildState.SUCCEEDED
    assert await console_log(rig, request) == "half...\n...done\n"


async def test_cut_and_expired_watches_lose_no_transition(rig: Rig) -> None:
    # A resync due by the time of the cut would relist instead of resuming, and the resumed watch
    # from before the compaction is what this test is about: on a slow machine the rig's 2 s pass
    # before the pod is up.
    unhurried = rig.settings.model_copy(update={"resync_seconds": 600})
    async with rig.watcher(settings=unhurried):
        request = await rig.launch(6)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        # The watch must be open before the cut: one still being opened (the fake serves it in
        # its own task) could start after run_build's events and never be behind the compaction.
        await eventually(lambda: rig.fake.open_watches == 1, what="the watch")
        rig.fake.cut_watches()
        run_build(rig.fake, request, "x\n", 0)
        rig.fake.compact()
        rig.fake.cut_watches()
        rig.fake.finish_container(NAMESPACE, pod_of(request), "build", exit_code=0)
        rig.fake.finish_log(NAMESPACE, pod_of(request), "build")
        record = await final_record(rig, request)
    assert record.state is BuildState.SUCCEEDED
    assert rig.fake.counters.watches_expired >= 1


async def test_two_watchers_give_the_same_records_as_one(rig: Rig) -> None:
    async with rig.watcher(), rig.watcher():
        requests = [await rig.launch(10 + n, branch=f"b{n}") for n in range(4)]
        for n, request in enumerate(requests):
            await eventually(partial(pod_exists, rig.fake, request), what="the pod")
            run_build(rig.fake, request, f"build {n}\n", 0)
            rig.fake.finish_container(NAMESPACE, pod_of(request), "build", exit_code=n)
            rig.fake.finish_log(NAMESPACE, pod_of(request), "build")
        records = [await final_record(rig, request) for request in requests]
    assert [r.exit_code for r in records] == [0, 1, 2, 3]
    assert [r.state for r in records] == [BuildState.SUCCEEDED] + [BuildState.FAILED] * 3
    for n, request in enumerate(requests):
        assert await console_log(rig, request) == f"build {n}\n"


async def test_no_record_stays_active_after_its_pod_vanished(rig: Rig) -> None:
    async with rig.watcher():
        request = await rig.launch(7)
        await eventually(lambda: pod_exists(rig.fake, request), what="the pod")
        run_build(rig.fake, request, "x\n", 0)

        async def running() -> bool:
            record = await record_of(rig, request)
            return record is not None and record.state is BuildState.RUNNING

        await eventually_async(running, what="the running record")
        rig.fake.store.delete(NAMESPACE, pod_of(request))  # gone without a trace
        record = await final_record(rig, request)
        # Asked while the watcher runs: the record is final a moment before the lock goes, and
        # a lock left by a watcher stopped in between is the scheduler's reaper's to free.
        assert await lock_released(rig, request)
    assert record.state is BuildState.ERRORED
    assert record.reason is not None
    assert "vanished" in record.reason
