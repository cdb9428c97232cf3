"""``aftomato scheduler``: the composition root of the scheduler.

Reads its settings, connects to RabbitMQ, etcd and Kubernetes, reads the build scripts once
(it cannot judge any request before), and runs its consumer and sweeps until SIGTERM.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from contextlib import AsyncExitStack

from kubernetes_asyncio.client import CoreV1Api
from prometheus_client import CollectorRegistry

from aftomato.common.cluster_clients import open_cluster_clients
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.http import health_server
from aftomato.common.runner import Component, readiness
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.service import report_settings_error, run_service
from aftomato.common.settings import (
    AmqpSettings,
    EtcdSettings,
    HealthSettings,
    KubeSettings,
    SettingsError,
    load,
)
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.pod_settings import PodContext
from aftomato.scheduler.service import compose_scheduler
from aftomato.scheduler.settings import SchedulerSettings


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="aftomato scheduler", description=__doc__).parse_args(argv)
    try:
        amqp, etcd, kube = load(AmqpSettings), load(EtcdSettings), load(KubeSettings)
        health, settings = load(HealthSettings), load(SchedulerSettings)
        reader_settings, pod_context = load(ScriptsReaderSettings), PodContext.from_environment()
    except SettingsError as error:
        return report_settings_error("scheduler", error)

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        clients = await open_cluster_clients(stack, amqp, etcd, kube)
        bus, store, api_client = clients.bus, clients.coordination, clients.kube
        repository = ScriptsRepository(
            pod_context.scripts.repo,
            pod_context.scripts.branch,
            reader_settings.cache_dir,
            timeout=reader_settings.git_timeout,
        )
        scripts = ScriptsReader(repository)
        await scripts.refresh()
        registry = CollectorRegistry()
        parts = compose_scheduler(
            bus=bus,
            store=store,
            pods=KubePods(CoreV1Api(api_client), pod_context.namespace),
            scripts=scripts,
            pod_context=pod_context,
            settings=settings,
            keys=BuildKeys(etcd.prefix),
            registry=registry,
            scripts_poll_seconds=reader_settings.poll_seconds,
            prefetch=amqp.prefetch,
        )
        server = health_server(readiness(parts.components), registry, health.port)
        return [*parts.components, server]

    return run_service("scheduler", start, secrets=[amqp.url.get_secret_value()])
