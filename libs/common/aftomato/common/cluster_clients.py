"""The clients every distributed service opens first: RabbitMQ, etcd and the Kubernetes API.

Each is closed by the caller's exit stack, in the reverse order of opening.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

from kubernetes_asyncio.client import ApiClient

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.kube import kube_api_client
from aftomato.common.settings import AmqpSettings, EtcdSettings, KubeSettings


@dataclass(frozen=True)
class ClusterClients:
    bus: RabbitMqBus
    coordination: EtcdStore
    kube: ApiClient


async def open_cluster_clients(
    stack: AsyncExitStack, amqp: AmqpSettings, etcd: EtcdSettings, kube: KubeSettings
) -> ClusterClients:
    bus = await RabbitMqBus.connect(amqp)
    stack.push_async_callback(bus.close)
    coordination = await EtcdStore.connect(etcd)
    stack.push_async_callback(coordination.close)
    api_client = await kube_api_client(kube)
    stack.push_async_callback(api_client.close)
    return ClusterClients(bus, coordination, api_client)
