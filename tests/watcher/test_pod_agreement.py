"""The watcher's reading of pods agrees with the scheduler's pods and the entrypoint's codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.states import BuildState
from aftomato.entrypoint.exitcodes import ExitCode
from aftomato.scheduler import pods as scheduler_pods
from aftomato.scheduler.labels import BUILD_ID_LABEL
from aftomato.scheduler.manifests import build_pod as scheduler_pod
from aftomato.watcher import pod_facts
from aftomato.watcher.pod_states import Observation, build_id_of, observe
from tests.scheduler.samples import context, request
from tests.watcher import pods
from tests.watcher.pods import (
    NOW,
    PENDING_TIMEOUT,
    STARTED,
    Pod,
    iso,
    terminated,
)

ERRORED, FAILED, SCHEDULED = BuildState.ERRORED, BuildState.FAILED, BuildState.SCHEDULED
BEFORE_TIMEOUT = STARTED + PENDING_TIMEOUT - timedelta(seconds=1)
AFTER_TIMEOUT = STARTED + PENDING_TIMEOUT + timedelta(seconds=1)


def seen(pod: Pod, now: datetime = NOW) -> Observation:
    return observe(pod, now=now, pending_timeout=PENDING_TIMEOUT)


# ---------------------------------------------------------------- agreement with the scheduler


def test_the_names_agree_with_the_scheduler_and_the_entrypoint() -> None:
    assert pod_facts.CANCELLED_ANNOTATION == scheduler_pods.CANCELLED_ANNOTATION
    assert pod_facts.BUILD_ID_LABEL == BUILD_ID_LABEL
    entrypoint_own = {code.value for code in ExitCode if 120 <= code.value < pod_facts.SIGNAL_BASE}
    assert set(pod_facts.ENTRYPOINT_ERRORS) == entrypoint_own
    assert ExitCode.KILLED == pod_facts.SIGNAL_BASE + 9


def test_the_schedulers_own_pod_is_read_as_built() -> None:
    pod = scheduler_pod(request(), ProjectConfig(), context())
    spec = pod["spec"]
    pod["status"] = {
        "phase": "Failed",
        "startTime": iso(STARTED),
        "containerStatuses": [terminated("build", 137, "OOMKilled")],
        "initContainerStatuses": [terminated("scripts", 0)],
    }

    observation = seen(pod)

    assert spec["initContainers"][0]["name"] == pod_facts.SCRIPTS_CONTAINER
    assert spec["containers"][0]["name"] == pod_facts.BUILD_CONTAINER
    assert build_id_of(pod) == request().build_id
    limit = spec["containers"][0]["resources"]["limits"]["memory"]
    assert observation.reason == f"out of memory (OOMKilled); the memory limit is {limit}"


def test_observations_are_values() -> None:
    first, second = seen(pods.finished(3)), seen(pods.finished(3))

    assert first == second
    assert hash(first) == hash(second)
    assert first.finished_at == datetime(2024, 5, 1, 12, 4, 30, tzinfo=UTC)
