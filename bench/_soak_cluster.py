"""The soak's distributed set-up: ``aftomato ingest``, ``scheduler``, ``watcher`` and ``api`` as
processes on private RabbitMQ, etcd and moto, configured as the end-to-end suite configures them
(``tests.e2e.cluster.environment``), around the fake Kubernetes API with a ``SimulatedNode``
playing kubelet (pods succeed without running a process)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.settings import AwsSettings
from bench._backends import private_backends
from tests.e2e.cluster import SERVICES, environment
from tests.e2e.services import Service, service, start, stop
from tests.support.fake_kube import FakeKube
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.kubeconfig import write_kubeconfig
from tests.support.fake_kube.simulated_node import SimulatedNode
from tests.watcher.rig import aws_settings, create_aws_resources

PREFIX = "/aftomato-soak/"
HISTORY_EVENTS = 20_000
"""Watch events the fake API keeps (its default is 1,000: two seconds at soak rate, where a real
API server keeps minutes); a watcher that falls further behind relists, as on a real cluster."""


@dataclass(frozen=True)
class SoakCluster:
    services: dict[str, Service]
    aws: AwsSettings
    node: SimulatedNode

    @property
    def ingest_url(self) -> str:
        return self.services["ingest"].url

    @property
    def api_url(self) -> str:
        return self.services["api"].url


@contextlib.asynccontextmanager
async def soak_cluster(
    root: Path,
    scripts: Path,
    settings: Mapping[str, str],
    pod_created: Callable[[Obj], None],
) -> AsyncIterator[SoakCluster]:
    with private_backends(root, PREFIX) as backends:
        aws = aws_settings(backends.aws_endpoint, backends.aws_names)
        await create_aws_resources(aws)
        logs = root / "logs"
        logs.mkdir()
        async with contextlib.AsyncExitStack() as stack:
            fake = await stack.enter_async_context(FakeKube(history_limit=HISTORY_EVENTS))
            node = await stack.enter_async_context(SimulatedNode(fake, on_created=pod_created))
            kubeconfig = write_kubeconfig(root / "kubeconfig", fake.url)
            env = environment(backends, root, kubeconfig, scripts) | dict(settings)
            services = {
                name: service(
                    name, env | {"AFTOMATO_BUILD_SCRIPTS_CACHE": str(root / f"cache-{name}")}, logs
                )
                for name in SERVICES
            }
            stack.push_async_callback(stop, list(services.values()))
            await start(list(services.values()))
            yield SoakCluster(services, aws, node)
