"""Pod status → build state while a pod waits: image pulls, scheduling, the pending timeout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aftomato.common.states import BuildState
from aftomato.watcher.pod_states import Observation, observe
from tests.watcher import pods
from tests.watcher.pods import (
    NOW,
    PENDING_TIMEOUT,
    STARTED,
    Pod,
    build_pod,
    build_waiting,
    condition,
)

ERRORED, FAILED, SCHEDULED = BuildState.ERRORED, BuildState.FAILED, BuildState.SCHEDULED
BEFORE_TIMEOUT = STARTED + PENDING_TIMEOUT - timedelta(seconds=1)
AFTER_TIMEOUT = STARTED + PENDING_TIMEOUT + timedelta(seconds=1)


def seen(pod: Pod, now: datetime = NOW) -> Observation:
    return observe(pod, now=now, pending_timeout=PENDING_TIMEOUT)


# ---------------------------------------------------------------- waiting, and for how long

SLOW = {
    "ImagePullBackOff": 'Back-off pulling image "registry.example.com/ci/node:20"',
    "ErrImagePull": "rpc error: code = NotFound desc = failed to pull and unpack image",
    "CrashLoopBackOff": "back-off 40s restarting failed container=postgres",
}


@pytest.mark.parametrize(("reason", "message"), SLOW.items(), ids=SLOW)
def test_a_pull_back_off_waits_until_the_pending_timeout(reason: str, message: str) -> None:
    pod = build_waiting(reason, message)

    waiting = seen(pod, now=BEFORE_TIMEOUT)
    ended = seen(pod, now=AFTER_TIMEOUT)

    assert waiting.state is SCHEDULED
    assert waiting.reason == f"waiting: {reason}: {message} (container build)"
    assert ended.state is ERRORED
    assert (
        ended.reason == f"the pod was pending longer than 5m: {reason}: {message} (container build)"
    )


def test_the_pending_timeout_is_a_strict_bound() -> None:
    pod = pods.image_pull_backoff()

    assert seen(pod, now=STARTED + PENDING_TIMEOUT).state is SCHEDULED
    assert seen(pod, now=STARTED + PENDING_TIMEOUT + timedelta(microseconds=1)).state is ERRORED


def test_pending_is_counted_from_the_start_time() -> None:
    late_start = STARTED + timedelta(minutes=3)
    pod = pods.image_pull_backoff(started=late_start)

    assert seen(pod, now=AFTER_TIMEOUT).state is SCHEDULED
    assert seen(pod, now=late_start + PENDING_TIMEOUT + timedelta(seconds=1)).state is ERRORED


def test_pending_is_counted_from_creation_without_a_start_time() -> None:
    pod = pods.image_pull_backoff()
    del pod["status"]["startTime"]
    created = pods.CREATED

    assert seen(pod, now=created + PENDING_TIMEOUT).state is SCHEDULED
    assert seen(pod, now=created + PENDING_TIMEOUT + timedelta(seconds=1)).state is ERRORED


def test_a_pod_of_unknown_age_never_times_out_pending() -> None:
    pod = pods.image_pull_backoff()
    del pod["status"]["startTime"]
    del pod["metadata"]["creationTimestamp"]

    assert seen(pod, now=AFTER_TIMEOUT + timedelta(days=1)).state is SCHEDULED


def test_an_image_pull_of_the_scripts_container_counts_too() -> None:
    pod = build_pod(
        init=(pods.waiting("scripts", "ImagePullBackOff", "Back-off"),),
        build=pods.waiting("build", "PodInitializing"),
    )

    assert (
        seen(pod, now=BEFORE_TIMEOUT).reason
        == "waiting: ImagePullBackOff: Back-off (container scripts)"
    )
    assert seen(pod, now=AFTER_TIMEOUT).state is ERRORED


FATAL = {
    "InvalidImageName": 'Failed to apply default image tag "Registry/Bad:": invalid reference',
    "ErrImageNeverPull": 'Container image "ci:local" is not present with pull policy of Never',
    "CreateContainerConfigError": 'secret "npm-token" not found',
    "CreateContainerError": "failed to reserve container name",
    "RunContainerError": "failed to start container: permission denied",
}


@pytest.mark.parametrize(("reason", "message"), FATAL.items(), ids=FATAL)
def test_a_container_that_cannot_be_created_errors_at_once(reason: str, message: str) -> None:
    observation = seen(build_waiting(reason, message), now=BEFORE_TIMEOUT)

    assert observation.state is ERRORED
    assert observation.reason == f"container build cannot start: {reason}: {message}"
    assert observation.exit_code is None


def test_an_unschedulable_pod_waits_then_errors() -> None:
    pod = pods.unschedulable()
    created = pods.CREATED  # no startTime before the pod is scheduled

    waiting = seen(pod, now=created + PENDING_TIMEOUT)
    ended = seen(pod, now=created + PENDING_TIMEOUT + timedelta(seconds=1))

    assert waiting.state is SCHEDULED
    assert waiting.reason is not None
    assert waiting.reason.startswith("waiting: Unschedulable: 0/3 nodes are available")
    assert ended.state is ERRORED
    assert ended.reason is not None
    assert ended.reason.startswith(
        "could not be scheduled: 0/3 nodes are available: 3 Insufficient"
    )
    assert ended.reason.endswith("(pending longer than 5m)")


def test_a_scheduled_pod_is_not_unschedulable() -> None:
    pod = build_pod(conditions=(condition("PodScheduled", True),))

    assert seen(pod, now=AFTER_TIMEOUT + timedelta(hours=1)) == Observation(SCHEDULED)


def test_a_slow_clone_is_not_a_stuck_pod() -> None:
    assert seen(pods.cloning(), now=AFTER_TIMEOUT + timedelta(hours=1)).state is SCHEDULED
