"""The baseline of ``bench.scheduler``: the least a scheduler must do, with the same clients.

It consumes the scheduler's queue with the same bus, prefetch and runtime (``run_service``), and
for each ``build.requested``: takes the branch's lock in one transaction (lock and running entry
on a lease shared per minute, as the scheduler's are, so ``release_build`` frees it as it frees
the scheduler's), then creates the same pod manifest through the same ``KubePods`` client. No
queue, no policies, no ``builds/`` memory, no ``build.scheduled``; other messages are acknowledged
and dropped. It reads the scheduler's environment; ``python -m bench._sched_baseline``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack

from aiohttp import web
from kubernetes_asyncio.client import CoreV1Api
from prometheus_client import CollectorRegistry

from aftomato.common.bus import Delivery
from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.components import Consumer
from aftomato.common.coordination import Compare, CoordinationStore, Put
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys, RunningBuild, branch_key
from aftomato.common.http import HttpServer, add_health_routes
from aftomato.common.kube import kube_api_client
from aftomato.common.messages import BuildRequested
from aftomato.common.runner import Component, readiness
from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.service import run_service
from aftomato.common.settings import AmqpSettings, EtcdSettings, HealthSettings, KubeSettings, load
from aftomato.scheduler.handlers import QUEUE, ROUTING_KEYS
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.manifests import build_pod
from aftomato.scheduler.pod_settings import PodContext
from aftomato.scheduler.shared_lease import LOCK_LEASE_RENEW_SECONDS, SharedLease

LEASE_SECONDS = 4200


class Baseline:
    def __init__(self, store: CoordinationStore, keys: BuildKeys, pods: KubePods) -> None:
        self._store, self._keys, self._pods = store, keys, pods
        self._lease = SharedLease(store, LEASE_SECONDS, renew_seconds=LOCK_LEASE_RENEW_SECONDS)
        self._context = PodContext.from_environment()
        self._config = ProjectConfig()

    async def handle(self, delivery: Delivery) -> None:
        request = delivery.message
        if not isinstance(request, BuildRequested):
            return
        branch = branch_key(request.project_key, request.branch)

        async def lock(lease: int) -> bool:
            running = RunningBuild(request="{}", branch=branch, lease=lease)
            return await self._store.transaction(
                [Compare.absent(self._keys.lock(branch))],
                [
                    Put(self._keys.lock(branch), request.build_id.encode(), lease),
                    Put(
                        self._keys.running(request.build_id),
                        running.model_dump_json().encode(),
                        lease,
                    ),
                ],
            )

        if await self._lease.writing(lock):
            await self._pods.create(build_pod(request, self._config, self._context))


def main() -> int:
    amqp, etcd, kube = load(AmqpSettings), load(EtcdSettings), load(KubeSettings)
    health = load(HealthSettings)

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        bus = await RabbitMqBus.connect(amqp)
        stack.push_async_callback(bus.close)
        store = await EtcdStore.connect(etcd)
        stack.push_async_callback(store.close)
        api_client = await kube_api_client(kube)
        stack.push_async_callback(api_client.close)
        pods = KubePods(CoreV1Api(api_client), kube.namespace)
        baseline = Baseline(store, BuildKeys(etcd.prefix), pods)
        consumer = Consumer(bus, QUEUE, ROUTING_KEYS, baseline.handle, prefetch=amqp.prefetch)
        app = web.Application()
        add_health_routes(app, readiness([consumer]), CollectorRegistry())
        return [consumer, HttpServer(app, "127.0.0.1", health.port, name="health")]

    return run_service("baseline", start, secrets=[amqp.url.get_secret_value()])


if __name__ == "__main__":
    sys.exit(main())
