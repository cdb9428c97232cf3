"""The api under test on real RabbitMQ, etcd and moto, with the fake Kubernetes API for live logs.

``ApiRig`` serves the composed app on a loopback port and plays the rest of the system where a
test needs it: ``record(...)`` writes what the watcher would, ``run_pod(...)`` makes the build pod
whose log the fake kubelet writes, ``keep_log(...)`` stores a console log as the watcher does.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from kubernetes_asyncio.client import CoreV1Api
from pydantic import SecretStr

from aftomato.api.kube_logs import KubeLiveLogs
from aftomato.api.live_logs import LiveLogs
from aftomato.api.service import ApiParts, compose_api
from aftomato.api.settings import ApiSettings
from aftomato.common.blobs.store import (
    CONSOLE_LOG_CONTENT_TYPE,
    CONSOLE_LOG_ENCODING,
    BlobStore,
    console_log_key,
)
from aftomato.common.bus import Bus, Delivery
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.messages import Message
from aftomato.common.records.model import BuildRecord, RecordUpdate
from aftomato.common.records.store import BuildStore
from aftomato.common.settings import AmqpSettings, EtcdSettings
from aftomato.common.states import BuildState
from aftomato.common.storage import open_build_storage
from tests.api.scripts import scripts_reader
from tests.support.fake_kube import FakeKube, api_client, as_pod
from tests.support.servers.moto import AwsNames
from tests.support.waiting import eventually
from tests.watcher.rig import aws_settings, create_aws_resources

NAMESPACE = "aftomato-builds"
VIEWER, OPERATOR, ADMIN = (
    "viewer-token-0123456789",
    "operator-token-0123456789",
    "admin-token-x123456789",
)
TOKENS = f"vera:viewer:{VIEWER},otto:operator:{OPERATOR},ada:admin:{ADMIN}"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def build_id(number: int) -> str:
    return f"{number:032x}"


def update(number: int, state: BuildState = BuildState.REQUESTED, **facts: Any) -> RecordUpdate:
    """An update of build ``number``: project team/app, branch main, requested ``number`` minutes
    after T0 unless the facts say otherwise."""
    fields: dict[str, Any] = {
        "build_id": build_id(number),
        "project_key": "team/app",
        "branch": "main",
        "state": state,
        "requested_at": T0 + timedelta(minutes=number),
    }
    fields.update(facts)
    return RecordUpdate.model_validate(fields)


@dataclass
class ApiRig:
    parts: ApiParts
    server: TestServer
    http: aiohttp.ClientSession
    bus: Bus
    records: BuildStore
    logs: BlobStore
    artifacts: BlobStore
    coordination: CoordinationStore
    keys: BuildKeys
    fake: FakeKube | None
    heard: list[Message] = field(default_factory=list)

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def record(self, *updates: RecordUpdate) -> BuildRecord:
        stored = None
        for one in updates:
            stored = await self.records.apply(one)
        assert stored is not None
        return stored

    async def keep_log(self, build: str, text: str) -> None:
        await self.logs.put(
            console_log_key(build),
            gzip.compress(text.encode()),
            content_type=CONSOLE_LOG_CONTENT_TYPE,
            content_encoding=CONSOLE_LOG_ENCODING,
        )

    async def run_pod(self, number: int) -> str:
        """A build pod for build ``number`` with its build container running; its name."""
        assert self.fake is not None
        name = f"build-{build_id(number)}"
        async with api_client(self.fake.url) as client:
            await CoreV1Api(client).create_namespaced_pod(NAMESPACE, as_pod(_pod(name)))
        self.fake.start_container(NAMESPACE, name, "build")
        return name

    async def heard_of(self, kind: type[Message]) -> list[Message]:
        await eventually(lambda: any(isinstance(m, kind) for m in self.heard), what=kind.__name__)
        return [m for m in self.heard if isinstance(m, kind)]


RigFactory = Callable[[ApiSettings], AbstractAsyncContextManager[ApiRig]]
"""Makes an api rig with the settings a test chooses (the ``make_rig`` fixture)."""


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "aftomato"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "build", "image": "busybox:1.36"}],
        },
    }


def api_settings(**changes: Any) -> ApiSettings:
    fields: dict[str, Any] = {
        "tokens": SecretStr(TOKENS),
        "keep_alive_seconds": 0.5,
        "log_poll_seconds": 0.1,
    }
    fields.update(changes)
    return ApiSettings.model_validate(fields)


@asynccontextmanager
async def serving(parts: ApiParts) -> AsyncIterator[TestServer]:
    """The app on a loopback port with its components running, stopped on the way out."""
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stopping)) for c in parts.components]
    server = TestServer(parts.app, host="127.0.0.1")
    await server.start_server()
    try:
        await eventually(lambda: all(c.ready() for c in parts.components), what="api ready")
        yield server
    finally:
        stopping.set()
        await server.close()
        await asyncio.gather(*tasks)


@asynccontextmanager
async def api_rig(
    *,
    tmp_path: Path,
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake: FakeKube,
    settings: ApiSettings | None = None,
    live_logs: LiveLogs | None = None,
) -> AsyncIterator[ApiRig]:
    aws = aws_settings(aws_endpoint, aws_names)
    await create_aws_resources(aws)
    async with AsyncExitStack() as stack:
        bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(amqp_url)))
        stack.push_async_callback(bus.close)
        coordination = await EtcdStore.connect(EtcdSettings(endpoints=(etcd_endpoint,)))
        stack.push_async_callback(coordination.close)
        storage = await open_build_storage(stack, aws)
        records, logs, artifacts = storage.records, storage.logs, storage.artifacts
        kube = await stack.enter_async_context(api_client(fake.url))
        keys = BuildKeys(etcd_prefix)
        parts = compose_api(
            bus=bus,
            records=records,
            logs=logs,
            artifacts=artifacts,
            coordination=coordination,
            keys=keys,
            scripts=await scripts_reader(tmp_path),
            live_logs=live_logs or KubeLiveLogs(kube, NAMESPACE),
            settings=settings or api_settings(),
        )
        heard: list[Message] = []

        async def hear(delivery: Delivery) -> None:
            heard.append(delivery.message)

        listening = await bus.listen(["build.*"], hear)
        stack.push_async_callback(listening.cancel)
        server = await stack.enter_async_context(serving(parts))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield ApiRig(
            parts, server, http, bus, records, logs, artifacts, coordination, keys, fake, heard
        )
