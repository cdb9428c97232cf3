"""The fake's node: pods run as local processes, reported and deleted as a kubelet does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio.client import CoreV1Api

from tests.support.fake_kube import FakeKube, as_pod, core_v1
from tests.support.fake_kube.containers import ConfigError, LocalImage, local_container, rewrite
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.node import Node

NS = "builds"
SECRETS = {"creds": {"key": "s3cret"}}


def shell_pod(name: str, script: str, *, init: str | None = None, grace: int = 30) -> Obj:
    """A pod whose container runs ``script`` with ``/data`` (an emptyDir) mounted."""
    mount = [{"name": "data", "mountPath": "/data"}]

    def container(container_name: str, text: str) -> Obj:
        return {
            "name": container_name,
            "image": "debian:bookworm-slim",
            "command": ["sh", "-c", text, "sh", "/data"],
            "volumeMounts": mount,
        }

    spec: Obj = {
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": grace,
        "containers": [container("main", script)],
        "volumes": [{"name": "data", "emptyDir": {}}],
    }
    if init is not None:
        spec["initContainers"] = [container("prepare", init)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
async def node(fake_kube: FakeKube, tmp_path: Path) -> AsyncIterator[Node]:
    async with Node(fake_kube, tmp_path / "node", secrets=SECRETS) as running:
        yield running


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        yield api


def phase(fake: FakeKube, name: str) -> str | None:
    pods = [p for p in fake.pods(NS) if p["metadata"]["name"] == name]
    return str(pods[0]["status"]["phase"]) if pods else None


def log_of(fake: FakeKube, name: str) -> str:
    log = fake.store.record(NS, name).logs.get("main")
    return "" if log is None else log.text()


def snapshots(fake: FakeKube) -> list[Obj]:
    """Every state of the namespace's pods from now on, pods removed later included."""
    seen: list[Obj] = []
    wake = fake.store.changed

    def record() -> None:
        seen.extend(fake.pods(NS))
        wake()

    fake.store.changed = record
    return seen


async def until(fake: FakeKube, predicate: Any, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        await fake.wait_for(predicate)


async def test_init_then_main_run_and_the_pod_succeeds_with_their_logs(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    pod = shell_pod("ok", 'cat "$1/greeting"; echo done', init='echo prepared > "$1/greeting"')
    await v1.create_namespaced_pod(NS, as_pod(pod))

    await until(fake_kube, lambda: phase(fake_kube, "ok") == "Succeeded")

    status = fake_kube.pod(NS, "ok")["status"]
    assert status["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    assert await v1.read_namespaced_pod_log("ok", NS, container="main") == "prepared\ndone\n"


async def test_a_failing_container_fails_the_pod_with_its_exit_code(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(shell_pod("bad", "echo oops; exit 7")))

    await until(fake_kube, lambda: phase(fake_kube, "bad") == "Failed")

    terminated = fake_kube.pod(NS, "bad")["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (7, "Error")


async def test_a_failing_init_container_fails_the_pod_before_the_main_one(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(shell_pod("init", "echo main", init="exit 2")))

    await until(fake_kube, lambda: phase(fake_kube, "init") == "Failed")

    status = fake_kube.pod(NS, "init")["status"]
    assert status["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 2
    assert "containerStatuses" not in status


async def test_a_running_pod_is_pending_then_running_and_its_log_follows(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    script = 'echo first; while [ ! -e "$1/go" ]; do sleep 0.05; done; echo second'
    await v1.create_namespaced_pod(NS, as_pod(shell_pod("live", script)))
    await until(fake_kube, lambda: phase(fake_kube, "live") == "Running")
    response: Any = await v1.read_namespaced_pod_log(
        "live", NS, follow=True, _preload_content=False
    )

    first = await response.content.readline()
    (node.runs[NS, "live"].folder / "volumes" / "data" / "go").touch()
    rest = await response.content.read()

    assert (first, rest) == (b"first\n", b"second\n")


async def running_until_stopped(
    fake: FakeKube, v1: CoreV1Api, name: str, on_sigterm: str
) -> list[Obj]:
    """A pod that says "up" then loops, doing ``on_sigterm`` on SIGTERM; its states from then on."""
    script = f"trap '{on_sigterm}' TERM; echo up; while :; do sleep 0.05; done"
    await v1.create_namespaced_pod(NS, as_pod(shell_pod(name, script)))
    await until(fake, lambda: "up" in log_of(fake, name))
    return snapshots(fake)


async def test_deleting_a_running_pod_stops_it_with_sigterm_then_removes_it(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    seen = await running_until_stopped(fake_kube, v1, "stop", "echo got TERM; exit 143")
    log = fake_kube.store.record(NS, "stop").logs["main"]

    answer = await v1.delete_namespaced_pod("stop", NS)

    assert answer.metadata.deletion_timestamp is not None
    assert answer.metadata.deletion_grace_period_seconds == 30
    await until(fake_kube, lambda: phase(fake_kube, "stop") is None)
    assert fake_kube.counters.pods_deleted == 1
    terminated = seen[-1]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (143, "Error")
    assert log.text() == "up\ngot TERM\n"


async def test_the_grace_period_is_honoured_then_the_pod_is_killed(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    seen = await running_until_stopped(fake_kube, v1, "stubborn", "")

    started = asyncio.get_running_loop().time()
    await v1.delete_namespaced_pod("stubborn", NS, grace_period_seconds=1)
    await until(fake_kube, lambda: phase(fake_kube, "stubborn") is None)

    assert asyncio.get_running_loop().time() - started >= 1
    terminated = seen[-1]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 137


async def test_a_finished_pod_is_removed_at_once(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(shell_pod("done", "true")))
    await until(fake_kube, lambda: phase(fake_kube, "done") == "Succeeded")

    await v1.delete_namespaced_pod("done", NS)

    assert phase(fake_kube, "done") is None
    assert fake_kube.counters.pods_deleted == 1


async def test_a_missing_secret_keeps_the_container_waiting(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    pod = shell_pod("secretless", "true")
    ref = {"secretKeyRef": {"name": "absent", "key": "k"}}
    pod["spec"]["containers"][0]["env"] = [{"name": "X", "valueFrom": ref}]
    await v1.create_namespaced_pod(NS, as_pod(pod))

    await until(fake_kube, lambda: "containerStatuses" in fake_kube.pod(NS, "secretless")["status"])

    status = fake_kube.pod(NS, "secretless")["status"]
    waiting = status["containerStatuses"][0]["state"]["waiting"]
    assert (status["phase"], waiting["reason"]) == ("Pending", "CreateContainerConfigError")


async def test_a_program_that_cannot_start_is_a_start_error(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    pod = shell_pod("nothing", "true")
    pod["spec"]["containers"][0]["command"] = ["/nonexistent/program"]
    await v1.create_namespaced_pod(NS, as_pod(pod))

    await until(fake_kube, lambda: phase(fake_kube, "nothing") == "Failed")

    terminated = fake_kube.pod(NS, "nothing")["status"]["containerStatuses"][0]["state"]
    assert terminated["terminated"]["reason"] == "StartError"


# ---------------------------------------------------------------- containers.py (pure)


def test_mount_paths_become_the_pods_folders() -> None:
    mounted = {"/scripts": Path("/tmp/p/volumes/scripts")}

    assert rewrite("/scripts", mounted) == "/tmp/p/volumes/scripts"
    assert rewrite("/scripts/a/b", mounted) == "/tmp/p/volumes/scripts/a/b"
    assert rewrite("/scriptsx", mounted) == "/scriptsx"


def test_the_environment_comes_from_values_secrets_and_the_image() -> None:
    pod = shell_pod("env", "true")
    pod["spec"]["containers"][0]["env"] = [
        {"name": "WHERE", "value": "/data/out"},
        {"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "key"}}},
        {
            "name": "GONE",
            "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k", "optional": True}},
        },
        {"name": "PATH", "value": "/spec/bin"},
    ]
    image = LocalImage({"sh": "/bin/dash"}, {"PATH": "/image/bin", "PYTHONPATH": "/lib"})

    local = local_container(pod, pod["spec"]["containers"][0], Path("/p"), image, SECRETS)

    assert local.command[:2] == ["/bin/dash", "-c"]
    assert local.command[-1] == "/p/volumes/data"
    assert local.environment["WHERE"] == "/p/volumes/data/out"
    assert local.environment["KEY"] == "s3cret"
    assert "GONE" not in local.environment
    assert (local.environment["PATH"], local.environment["PYTHONPATH"]) == ("/spec/bin", "/lib")


def test_a_mount_of_an_unknown_volume_cannot_run() -> None:
    pod = shell_pod("odd", "true")
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "other", "mountPath": "/x"}]

    with pytest.raises(ConfigError, match="'other'"):
        local_container(pod, pod["spec"]["containers"][0], Path("/p"), LocalImage(), {})


async def test_a_pod_past_its_deadline_is_stopped_and_fails_with_deadline_exceeded(
    fake_kube: FakeKube, node: Node, v1: CoreV1Api
) -> None:
    pod = shell_pod("late", "echo up; exec sleep 60", grace=1)
    pod["spec"]["activeDeadlineSeconds"] = 1
    seen = snapshots(fake_kube)
    await v1.create_namespaced_pod(NS, as_pod(pod))

    await until(fake_kube, lambda: phase(fake_kube, "late") == "Failed")

    status = fake_kube.pod(NS, "late")["status"]
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert (status["reason"], terminated["exitCode"]) == ("DeadlineExceeded", 143)
    killed = [p for p in seen if "terminated" in str(p["status"].get("containerStatuses"))]
    assert all(p["status"].get("reason") == "DeadlineExceeded" for p in killed)
