"""Pod status → build state: each way a build pod can look, with its state, reason and exit code."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from aftomato.common.states import BuildState
from aftomato.watcher import pod_facts
from aftomato.watcher.pod_states import Observation, build_id_of, observe, pod_name_of, vanished
from tests.watcher import pods
from tests.watcher.pods import (
    BUILD_FINISHED,
    BUILD_STARTED,
    NOW,
    PENDING_TIMEOUT,
    STARTED,
    Pod,
    build_pod,
    terminated,
)

ERRORED, FAILED, SCHEDULED = BuildState.ERRORED, BuildState.FAILED, BuildState.SCHEDULED
BEFORE_TIMEOUT = STARTED + PENDING_TIMEOUT - timedelta(seconds=1)
AFTER_TIMEOUT = STARTED + PENDING_TIMEOUT + timedelta(seconds=1)


def seen(pod: Pod, now: datetime = NOW) -> Observation:
    return observe(pod, now=now, pending_timeout=PENDING_TIMEOUT)


# (pod, state, reason fragment or None for "no reason", exit code)
CASES: dict[str, tuple[Pod, BuildState, str | None, int | None]] = {
    "created, no status": (pods.created(), SCHEDULED, None, None),
    "cloning the scripts": (pods.cloning(), SCHEDULED, "waiting: PodInitializing", None),
    "sidecar up, build being created": (
        pods.sidecars_running(),
        SCHEDULED,
        "waiting: ContainerCreating (container build)",
        None,
    ),
    "sidecar up, phase Running": (pods.sidecars_running("Running"), SCHEDULED, "waiting", None),
    "running": (pods.build_running(), BuildState.RUNNING, None, None),
    "succeeded": (pods.finished(0), BuildState.SUCCEEDED, None, 0),
    "script failed": (pods.finished(1), FAILED, "build.sh exited with code 1", 1),
    "script exit 119": (pods.finished(119), FAILED, "build.sh exited with code 119", 119),
    "script exit 124": (pods.finished(124), FAILED, "build.sh exited with code 124", 124),
    "command not found": (pods.finished(127), FAILED, "build.sh exited with code 127", 127),
    "script exit 255": (pods.finished(255), FAILED, "build.sh exited with code 255", 255),
    "project refused": (
        pods.finished(120),
        ERRORED,
        "the build script was not found or the project key was refused (exit 120)",
        120,
    ),
    "upload failed": (
        pods.finished(121),
        ERRORED,
        "the build succeeded but uploading its artifacts failed (exit 121)",
        121,
    ),
    "entrypoint failed": (pods.finished(122), ERRORED, "entrypoint failed (exit 122)", 122),
    "bad configuration": (pods.finished(123), ERRORED, "configuration or workspace", 123),
    "killed by SIGKILL": (
        pods.finished(137),
        FAILED,
        "killed by signal 9 (SIGKILL), exit 137",
        137,
    ),
    "killed by SIGTERM": (pods.finished(143), FAILED, "killed by signal 15 (SIGTERM)", 143),
    "interrupted": (pods.finished(130), FAILED, "killed by signal 2 (SIGINT)", 130),
    "out of memory": (
        pods.oom_killed(),
        ERRORED,
        "out of memory (OOMKilled); the memory limit is 2Gi",
        137,
    ),
    "out of memory, no limit": (
        pods.oom_killed(memory_limit=None),
        ERRORED,
        "out of memory (OOMKilled); the build container has no memory limit",
        137,
    ),
    "evicted": (pods.evicted(), ERRORED, f"evicted: {pods.EVICTION}", 137),
    "deadline, killed": (pods.deadline_exceeded(137), BuildState.TIMED_OUT, "of 1h", 137),
    "deadline, stopped": (pods.deadline_exceeded(143), BuildState.TIMED_OUT, "timeout", 143),
    "deadline, 1h30m": (
        pods.deadline_exceeded(143, deadline=5400),
        BuildState.TIMED_OUT,
        "the build ran past its timeout of 1h30m",
        143,
    ),
    "deadline, still stopping": (
        pods.deadline_exceeded(None),
        BuildState.TIMED_OUT,
        "the build ran past its timeout of 1h",
        None,
    ),
    "checkout failed": (
        pods.init_failure(),
        ERRORED,
        "the build scripts could not be checked out: Error (exit code 128)",
        None,
    ),
    "checkout failed, with a message": (
        pods.init_failure("repository not found"),
        ERRORED,
        "checked out: Error: repository not found (exit code 128)",
        None,
    ),
    "cancelled while running": (
        pods.cancelling(),
        BuildState.CANCELLED,
        "superseded by build 1a2b3c",
        None,
    ),
    "cancelled, build stopped": (
        pods.cancelling("cancelled by alice", code=143),
        BuildState.CANCELLED,
        "cancelled by alice",
        143,
    ),
    "cancelled, no reason given": (
        pods.cancelling("", code=143),
        BuildState.CANCELLED,
        "cancelled",
        143,
    ),
    "cancelled as it succeeded": (
        pods.finished(0, cancelled="by alice", deleting=True),
        BuildState.CANCELLED,
        "by alice",
        0,
    ),
    "marked cancelled, not deleted yet": (
        pods.build_running(cancelled="by alice"),
        BuildState.RUNNING,
        None,
        None,
    ),
    "marked cancelled, then ended": (
        pods.finished(143, cancelled="by alice"),
        BuildState.CANCELLED,
        "by alice",
        143,
    ),
    "deleted by someone else": (
        pods.finished(143, deleting=True),
        ERRORED,
        "the build got signal 15 (SIGTERM), exit 143, as the pod was deleted outside Aftomato",
        143,
    ),
    "deleted after the script failed": (
        pods.finished(2, deleting=True),
        FAILED,
        "build.sh exited with code 2",
        2,
    ),
    "deleted while running": (pods.build_running(deleting=True), BuildState.RUNNING, None, None),
    "node shut down": (
        pods.finished(
            143,
            reason="Terminated",
            message="Pod was terminated in response to imminent node shutdown.",
        ),
        ERRORED,
        "the build got signal 15 (SIGTERM), exit 143, as Kubernetes stopped the pod: Terminated: "
        "Pod was terminated in response to imminent node shutdown.",
        143,
    ),
    "build could not start": (
        build_pod(
            "Failed",
            init=(pods.CLONED, pods.SIDECAR_STOPPED),
            build=terminated("build", 128, "StartError", 'exec: "python3": not found'),
        ),
        ERRORED,
        'the build container could not start: StartError: exec: "python3": not found',
        128,
    ),
    "node lost": (
        pods.node_lost(),
        ERRORED,
        "the pod ended (Failed) without a result from the build container: NodeLost: Node worker-2",
        None,
    ),
    "failed, nothing said": (build_pod("Failed"), ERRORED, "no reason given", None),
    "phase unknown": (build_pod("Unknown"), SCHEDULED, "pod phase Unknown", None),
}


@pytest.mark.parametrize(("pod", "state", "reason", "exit_code"), CASES.values(), ids=CASES)
def test_each_kind_of_pod_gives_its_state_reason_and_exit_code(
    pod: Pod, state: BuildState, reason: str | None, exit_code: int | None
) -> None:
    observation = seen(pod)

    assert observation.state is state
    if reason is None:
        assert observation.reason is None
    else:
        assert observation.reason is not None
        assert reason in observation.reason
    assert observation.exit_code == exit_code
    assert observation.final is state.is_final


def test_a_running_build_has_started_at_the_containers_start() -> None:
    observation = seen(pods.build_running())

    assert observation.started_at == BUILD_STARTED
    assert observation.finished_at is None


@pytest.mark.parametrize("pod", [pods.finished(0), pods.finished(3), pods.oom_killed()])
def test_a_terminated_build_keeps_its_containers_times(pod: Pod) -> None:
    observation = seen(pod)

    assert (observation.started_at, observation.finished_at) == (BUILD_STARTED, BUILD_FINISHED)
    assert observation.started_at is not None
    assert observation.started_at.tzinfo is not None


# ---------------------------------------------------------------- precedence


def test_a_cancelled_pod_past_its_deadline_is_cancelled() -> None:
    pod = pods.deadline_exceeded(143, cancelled="cancelled by alice", deleting=True)

    observation = seen(pod)

    assert (observation.state, observation.reason) == (BuildState.CANCELLED, "cancelled by alice")
    assert observation.exit_code == 143


def test_a_cancelled_pod_that_was_evicted_is_cancelled() -> None:
    pod = pods.evicted()
    pod["metadata"]["annotations"][pod_facts.CANCELLED_ANNOTATION] = "by alice"

    assert seen(pod).state is BuildState.CANCELLED


def test_a_deadline_kill_is_timed_out_not_failed_nor_out_of_memory() -> None:
    assert seen(pods.deadline_exceeded(137)).state is BuildState.TIMED_OUT
    assert seen(pods.oom_killed(**_deadline())).state is BuildState.TIMED_OUT


def test_an_eviction_outranks_the_exit_code() -> None:
    assert seen(pods.finished(1, reason="Evicted", message="low on memory")).state is ERRORED


def test_a_failed_checkout_outranks_a_waiting_build() -> None:
    pod = pods.init_failure()
    pod["status"]["containerStatuses"] = [pods.waiting("build", "CreateContainerConfigError")]

    observation = seen(pod)

    assert observation.reason is not None
    assert observation.reason.startswith("the build scripts could not be checked out")


def test_a_running_build_outranks_a_restarting_sidecar() -> None:
    pod = pods.build_running()
    pod["status"]["initContainerStatuses"][1] = pods.waiting("postgres", "CrashLoopBackOff")

    assert seen(pod, now=AFTER_TIMEOUT + timedelta(hours=1)).state is BuildState.RUNNING


def _deadline() -> dict[str, Any]:
    return {"reason": "DeadlineExceeded", "message": pods.DEADLINE}


# ---------------------------------------------------------------- odd input


@pytest.mark.parametrize(
    "pod",
    [
        {},
        {"metadata": None, "spec": [], "status": "Running"},
        {"status": {"phase": 3, "containerStatuses": [None, {"state": "x"}, {"name": "build"}]}},
        {"status": {"containerStatuses": [{"name": "build", "state": {"terminated": {}}}]}},
        {"status": {"startTime": "yesterday", "conditions": [{"type": "PodScheduled"}]}},
    ],
)
def test_a_malformed_pod_is_scheduled_not_an_error(pod: dict[str, Any]) -> None:
    assert seen(pod).state is SCHEDULED


def test_long_messages_are_cut() -> None:
    pod = pods.finished(137, reason="Evicted", message="x" * 10_000)

    observation = seen(pod)

    assert observation.reason is not None
    assert len(observation.reason) <= pod_facts.MAX_MESSAGE + 50
    assert observation.reason.endswith("…")


def test_timestamps_without_a_zone_are_ignored() -> None:
    pod = pods.build_running()
    pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] = "2024-05-01T12:00:30"

    assert seen(pod).started_at is None


# ---------------------------------------------------------------- identity and vanished pods


def test_the_build_id_and_pod_name_come_from_the_pod() -> None:
    pod = pods.build_running()

    assert build_id_of(pod) == "0f3c9a"
    assert pod_name_of(pod) == "build-0f3c9a"
    assert build_id_of({"metadata": {"labels": {}}}) is None
    assert pod_name_of({}) is None


@pytest.mark.parametrize("state", [BuildState.SCHEDULED, BuildState.RUNNING])
def test_a_pod_gone_for_the_grace_period_ends_the_build_errored(state: BuildState) -> None:
    grace = timedelta(minutes=2)

    assert vanished(state, timedelta(minutes=1, seconds=59), grace) is None
    ended = vanished(state, grace, grace)

    assert ended is not None
    assert (ended.state, ended.final, ended.exit_code) == (ERRORED, True, None)
    assert ended.reason is not None
    assert ended.reason.startswith("pod vanished")
    assert ended.reason.endswith("(gone for 2m)")


@pytest.mark.parametrize(
    "state",
    [BuildState.REQUESTED, BuildState.QUEUED, BuildState.SUCCEEDED, BuildState.CANCELLED],
)
def test_a_build_without_a_pod_to_lose_does_not_vanish(state: BuildState) -> None:
    assert vanished(state, timedelta(days=1), timedelta(minutes=2)) is None
