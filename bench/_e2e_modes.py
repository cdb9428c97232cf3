"""The two ways the bench runs Aftomato: embedded (``aftomato up``, one process) and distributed
(the end-to-end suite's cluster: four services on private RabbitMQ, etcd and moto, the fake
Kubernetes API and its node), each giving where to send webhooks and where the api answers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bench._backends import private_backends
from tests.e2e.cluster import WEBHOOK_SECRET, running_cluster
from tests.e2e.scripts_repo import make_scripts_repository
from tests.e2e.services import Service, service, start, stop

PREFIX = "/aftomato-bench/"


@dataclass(frozen=True)
class Deployment:
    ingest_url: str
    api_url: str
    processes: list[Service]


@contextlib.asynccontextmanager
async def embedded(root: Path) -> AsyncIterator[Deployment]:
    """``aftomato up`` on its embedded back ends, build scripts from a git repository."""
    logs = root / "logs"
    logs.mkdir(parents=True)
    env = {
        "AFTOMATO_DATA_DIR": str(root / "data"),
        "AFTOMATO_BUILD_SCRIPTS_REPO": str(make_scripts_repository(root / "build-scripts")),
        "AFTOMATO_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AFTOMATO_LOG_FORMAT": "json",
    }
    up = service("up", env, logs)
    try:
        await start([up])
        yield Deployment(up.url, up.url, [up])
    finally:
        await stop([up])


@contextlib.asynccontextmanager
async def distributed(root: Path) -> AsyncIterator[Deployment]:
    """The four services as processes, on private RabbitMQ, etcd and moto under ``root``."""
    with private_backends(root, PREFIX) as backends:
        async with running_cluster(backends, root / "cluster") as cluster:
            yield Deployment(cluster.ingest_url, cluster.api_url, list(cluster.services.values()))
