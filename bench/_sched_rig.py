"""What ``bench.scheduler`` runs against: RabbitMQ, etcd, build scripts, a kubeconfig, and
``aftomato scheduler`` in its own process, pointed at a fake Kubernetes API in the bench process.

RabbitMQ and etcd are private servers (``tests/support/servers``) unless
``AFTOMATO_BENCH_AMQP_URL`` / ``AFTOMATO_BENCH_ETCD_ENDPOINT`` name running ones. With
``BENCH_ETCD_TMPFS=1`` the private etcd keeps its data in ``/dev/shm``: its fsyncs cost nothing
there (etcd 3.4 has no ``--unsafe-no-fsync``), unlike a production etcd's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from kubernetes_asyncio.client import CoreV1Api

from aftomato.common.kube import kube_api_client
from aftomato.common.settings import KubeSettings
from bench._servers import Server
from tests.support.servers.etcd import EtcdServer
from tests.support.servers.ports import free_port
from tests.support.servers.rabbitmq import RabbitMQServer

NAMESPACE = "aftomato-builds"
PREFIX = "/aftomato-bench/"
START_TIMEOUT = 60.0
TMPFS = Path("/dev/shm")  # noqa: S108 - a private folder made with mkdtemp, removed after


@dataclass(frozen=True)
class Backends:
    amqp_url: str
    etcd_endpoint: str
    etcd_on_tmpfs: bool
    rabbitmq_pid: int | None
    """The id of RabbitMQ's process group, when the bench started it."""
    etcd_pid: int | None


@contextmanager
def backends(root: Path) -> Iterator[Backends]:
    """RabbitMQ and etcd: the ones named by the environment, else private ones under ``root``."""
    amqp_url = os.environ.get("AFTOMATO_BENCH_AMQP_URL")
    etcd_endpoint = os.environ.get("AFTOMATO_BENCH_ETCD_ENDPOINT")
    tmpfs = etcd_endpoint is None and os.environ.get("BENCH_ETCD_TMPFS") == "1"
    rabbitmq_pid = etcd_pid = None
    with ExitStack() as stack:
        if amqp_url is None:
            rabbitmq = RabbitMQServer(root / "rabbitmq", management=False)
            stack.callback(rabbitmq.close)
            rabbitmq.start()
            amqp_url, rabbitmq_pid = rabbitmq.url(), rabbitmq.pid
        if etcd_endpoint is None:
            folder = Path(tempfile.mkdtemp(prefix="aftomato-etcd-", dir=TMPFS if tmpfs else root))
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
            etcd = EtcdServer(folder)
            stack.callback(etcd.close)
            etcd.start()
            etcd_endpoint, etcd_pid = (
                etcd.endpoint,
                _pid_with_argument(f"--data-dir={folder / 'data'}"),
            )
        yield Backends(amqp_url, etcd_endpoint, tmpfs, rabbitmq_pid, etcd_pid)


def write_projects(root: Path, count: int) -> Path:
    """``bench/p000`` ... : a ``build.sh`` each and no ``aftomato.yaml`` (the default config)."""
    for number in range(count):
        folder = root / project_key(number)
        folder.mkdir(parents=True)
        (folder / "build.sh").write_text("#!/bin/sh\necho building\n")
    return root


def project_key(number: int) -> str:
    return f"bench/p{number:03d}"


def write_kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig for ``server`` (plain HTTP), with a user that has no credentials."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "bench", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "bench"}}],
        "current-context": "fake",
    }
    path.write_text(json.dumps(config))
    return path


async def check_kubeconfig(path: Path) -> None:
    """The scheduler's own loader reads it, and the fake answers through it."""
    client = await kube_api_client(KubeSettings(kubeconfig=str(path)))
    async with client:
        await CoreV1Api(client).list_namespaced_pod(NAMESPACE)


SCHEDULER = ("scheduler", [str(Path(sys.executable).parent / "aftomato"), "scheduler"])
BASELINE = ("baseline", [sys.executable, "-m", "bench._sched_baseline"])


async def start_service(kind: tuple[str, list[str]], env: dict[str, str], logs: Path) -> Server:
    """``kind`` (``SCHEDULER`` or ``BASELINE``) on ``env``; waits until ``/readyz`` says ready."""
    return await asyncio.to_thread(_start_service, *kind, env, logs)


def _start_service(name: str, command: list[str], env: dict[str, str], logs: Path) -> Server:
    port = free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AFTOMATO_")}
    clean |= env | {"AFTOMATO_HEALTH_PORT": str(port), "AFTOMATO_ETCD_PREFIX": PREFIX}
    path = logs / f"{name}.log"
    log = path.open("ab")
    process = subprocess.Popen(command, env=clean, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, port, process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not _ready(port):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            tail = path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the {name} did not become ready:\n{tail}")
        time.sleep(0.1)
    return server


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def _pid_with_argument(argument: str) -> int | None:
    """The process whose command line holds ``argument`` exactly, if there is one."""
    for folder in Path("/proc").iterdir():
        if folder.name.isdigit():
            try:
                arguments = (folder / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argument.encode() in arguments:
                return int(folder.name)
    return None


def group_cpu_seconds(group: int) -> float:
    """User plus system CPU seconds of every live process in process group ``group``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for folder in Path("/proc").iterdir():
        if folder.name.isdigit():
            try:
                fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                total += int(fields[11]) + int(fields[12])
    return total / ticks
