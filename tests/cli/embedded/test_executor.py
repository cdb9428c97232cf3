"""The local executor against what the scheduler and the watcher expect of build pods.

Pods come from the scheduler's real manifest (``build_pod``); what they show is read with the
watcher's own pure mapping (``observe``), so the executor is held to the same contract as
Kubernetes plus the watcher's rules. The builds are real: the entrypoint runs real scripts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aftomato.cli.embedded.executor import LocalExecutor
from aftomato.common.blobs.local import LocalBlobStore
from aftomato.common.blobs.store import read_all
from aftomato.common.records.model import BuildRecord
from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.states import BuildState
from aftomato.scheduler.manifests import build_pod, pod_name
from aftomato.watcher.pod_source import Pod, PodEvent, WatchExpired
from aftomato.watcher.pod_states import Observation, observe
from tests.scheduler.samples import context, request
from tests.support.waiting import eventually, eventually_async

SCRIPTS = {
    "t/hello": 'printf "hello %s\\n" "$BRANCH_TO_BUILD"',
    "t/fail": "echo about to fail; exit 3",
    "t/slow": "echo started; sleep 30; echo never",
    "t/artifacts": 'mkdir -p "$ARTIFACTS_DIR/dist"; echo built > "$ARTIFACTS_DIR/dist/app.txt"',
    "t/lines": "for i in 1 2 3; do echo line $i; sleep 0.2; done",
}


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    root = tmp_path / "scripts"
    for key, body in SCRIPTS.items():
        (root / key).mkdir(parents=True)
        (root / key / "build.sh").write_text(f"set -eu\n{body}\n")
    return root


@pytest.fixture
async def executor(tmp_path: Path, scripts: Path) -> AsyncIterator[LocalExecutor]:
    artifacts = LocalBlobStore(tmp_path / "artifacts-store")
    executor = LocalExecutor(tmp_path / "work", lambda: scripts, artifacts)
    try:
        yield executor
    finally:
        await executor.close()


def manifest(build_id: str, project: str) -> Pod:
    return build_pod(
        request(build_id=build_id, project_key=project, branch="main"),
        ProjectConfig(),
        context(AFTOMATO_KILL_GRACE_SECONDS="1"),
    )


def seen(pod: Pod | None) -> Observation:
    assert pod is not None
    return observe(pod, now=datetime.now(UTC), pending_timeout=timedelta(minutes=5))


async def final_pod(executor: LocalExecutor, name: str) -> Pod:
    async def ended() -> Pod | None:
        pods, _ = await executor.list()
        pod = next((p for p in pods if p["metadata"]["name"] == name), None)
        return pod if pod is not None and seen(pod).final else None

    return await eventually_async(ended, within=30, what=f"pod {name} to end")


def console(executor: LocalExecutor, name: str) -> str:
    """What the build has written so far (nothing before its folder exists)."""
    log = executor._runs[name].folders.log
    return log.read_text() if log.exists() else ""


async def log_text(executor: LocalExecutor, name: str) -> str:
    async with contextlib.aclosing(executor.log(name)) as chunks:
        return b"".join([chunk async for chunk in chunks]).decode()


async def test_a_build_that_exits_0_succeeds_and_keeps_its_log(executor: LocalExecutor) -> None:
    await executor.create(manifest("b1", "t/hello"))
    pod = await final_pod(executor, pod_name("b1"))
    observation = seen(pod)
    assert observation.state is BuildState.SUCCEEDED
    assert observation.exit_code == 0
    assert observation.started_at is not None
    assert observation.finished_at is not None
    log = await log_text(executor, pod_name("b1"))
    assert "hello main" in log
    assert "[aftomato] build b1" in log


async def test_a_failing_script_fails_with_its_exit_code(executor: LocalExecutor) -> None:
    await executor.create(manifest("b2", "t/fail"))
    observation = seen(await final_pod(executor, pod_name("b2")))
    assert (observation.state, observation.exit_code) == (BuildState.FAILED, 3)
    assert observation.reason == "build.sh exited with code 3"


async def test_an_unknown_project_errors_as_the_entrypoint_says(executor: LocalExecutor) -> None:
    await executor.create(manifest("b3", "t/absent"))
    observation = seen(await final_pod(executor, pod_name("b3")))
    assert (observation.state, observation.exit_code) == (BuildState.ERRORED, 120)


async def test_a_project_with_sidecars_errors_at_once(executor: LocalExecutor) -> None:
    pod = manifest("b13", "t/hello")
    sidecar = {"name": "redis", "image": "redis:7", "restartPolicy": "Always"}
    pod["spec"]["initContainers"].append(sidecar)
    await executor.create(pod)
    observation = seen(await final_pod(executor, pod_name("b13")))
    assert observation.state is BuildState.ERRORED
    assert observation.reason is not None
    assert observation.reason.startswith("container redis cannot start: CreateContainerError")
    assert "runs no sidecars" in observation.reason
    assert "runs no sidecars" in await log_text(executor, pod_name("b13"))


async def test_creating_twice_runs_one_build(executor: LocalExecutor) -> None:
    await executor.create(manifest("b4", "t/hello"))
    await executor.create(manifest("b4", "t/hello"))
    await final_pod(executor, pod_name("b4"))
    assert (await log_text(executor, pod_name("b4"))).count("hello main") == 1
    assert await executor.existing() == {pod_name("b4")}


async def test_a_cancelled_build_is_stopped_and_shows_cancelled(executor: LocalExecutor) -> None:
    name = pod_name("b5")
    events: list[PodEvent] = []
    _, version = await executor.list()
    await executor.create(manifest("b5", "t/slow"))
    await eventually(lambda: "started" in console(executor, name))
    assert seen(executor._table.get(name)).state is BuildState.RUNNING
    assert await executor.cancel(name, "superseded by a newer build", grace_seconds=5)
    assert name not in await executor.existing()
    assert not await executor.cancel(name, "again", grace_seconds=5)
    async with contextlib.aclosing(executor.watch(version, 0.2)) as stream:
        events = [event async for event in stream]
    assert events[-1].kind == "DELETED"
    last = seen(events[-1].pod)
    assert (last.state, last.reason) == (BuildState.CANCELLED, "superseded by a newer build")
    assert "never" not in await log_text(executor, name)


async def test_a_build_past_its_deadline_times_out(executor: LocalExecutor) -> None:
    pod = manifest("b6", "t/slow")
    pod["spec"]["activeDeadlineSeconds"] = 1
    await executor.create(pod)
    observation = seen(await final_pod(executor, pod_name("b6")))
    assert observation.state is BuildState.TIMED_OUT


async def test_artifacts_are_kept_in_the_blob_store_with_a_manifest(
    executor: LocalExecutor, tmp_path: Path
) -> None:
    await executor.create(manifest("b7", "t/artifacts"))
    assert seen(await final_pod(executor, pod_name("b7"))).state is BuildState.SUCCEEDED
    store = LocalBlobStore(tmp_path / "artifacts-store")
    assert await read_all(store, "b7/dist/app.txt") == b"built\n"
    listed = json.loads(await read_all(store, "b7/manifest.json"))
    assert [entry["path"] for entry in listed["files"]] == ["dist/app.txt"]


async def test_a_watch_resumes_after_the_version_it_saw(executor: LocalExecutor) -> None:
    _, start = await executor.list()
    await executor.create(manifest("b8", "t/hello"))
    await final_pod(executor, pod_name("b8"))
    async with contextlib.aclosing(executor.watch(start, 0.2)) as stream:
        first = [event async for event in stream]
    assert first[0].kind == "ADDED"
    assert [seen(event.pod).state for event in first][-1] is BuildState.SUCCEEDED
    middle = first[1].pod["metadata"]["resourceVersion"]
    async with contextlib.aclosing(executor.watch(middle, 0.2)) as stream:
        rest = [event async for event in stream]
    assert [e.pod["metadata"]["resourceVersion"] for e in rest] == [
        e.pod["metadata"]["resourceVersion"] for e in first[2:]
    ]
    with pytest.raises(WatchExpired):
        async with contextlib.aclosing(executor.watch("not-a-version", 0.1)) as stream:
            [event async for event in stream]


async def test_deleting_a_pod_removes_it_and_its_folders(executor: LocalExecutor) -> None:
    name = pod_name("b9")
    await executor.create(manifest("b9", "t/hello"))
    await final_pod(executor, name)
    folder = executor._runs[name].folders.root
    await executor.delete(name)
    await executor.delete(name)  # one already gone is fine
    assert not folder.exists()
    assert (await executor.list())[0] == []


async def test_follow_gives_the_log_as_it_is_written_then_ends(executor: LocalExecutor) -> None:
    await executor.create(manifest("b10", "t/lines"))
    name = pod_name("b10")
    await eventually(lambda: executor._runs[name].folders.log.exists())
    record = BuildRecord.model_validate(
        {
            "build_id": "b10",
            "project_key": "t/lines",
            "branch": "main",
            "state": "running",
            "pod_name": name,
            "requested_at": datetime.now(UTC),
        }
    )
    followed = b"".join([chunk async for chunk in executor.follow(record)]).decode()
    assert "line 1\nline 2\nline 3\n" in followed
    assert "finished: exit code 0" in followed
    nothing = record.model_copy(update={"pod_name": "build-nobody"})
    assert [chunk async for chunk in executor.follow(nothing)] == []


async def test_cancel_all_stops_every_running_build_for_the_record(
    executor: LocalExecutor,
) -> None:
    await executor.create(manifest("b11", "t/slow"))
    await executor.create(manifest("b12", "t/hello"))
    await final_pod(executor, pod_name("b12"))
    await eventually(lambda: "started" in console(executor, pod_name("b11")))
    last = await executor.cancel_all("aftomato up stopped")
    assert [pod["metadata"]["name"] for pod in last] == [pod_name("b11")]
    assert seen(last[0]).state is BuildState.CANCELLED
