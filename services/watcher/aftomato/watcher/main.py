"""``aftomato watcher``: the composition root of the watcher.

Connects to RabbitMQ, etcd, DynamoDB, S3 and Kubernetes, then records every ``build.*`` fact and
follows every build pod to its end until SIGTERM, when it finishes the builds it is finishing.
On its own queue it reports build states to the SCMs and notifies chat (docs/reporting.md).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from contextlib import AsyncExitStack

from prometheus_client import CollectorRegistry

from aftomato.common.cluster_clients import open_cluster_clients
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.http import health_server
from aftomato.common.runner import Component, readiness
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.service import report_settings_error, run_service
from aftomato.common.settings import (
    AmqpSettings,
    AwsSettings,
    EtcdSettings,
    HealthSettings,
    KubeSettings,
    ScriptsSettings,
    SettingsError,
    load,
)
from aftomato.common.storage import open_build_storage
from aftomato.watcher.kube_source import KubePodSource
from aftomato.watcher.reporting.settings import ReportingSettings
from aftomato.watcher.reporting.wiring import open_reporting, scripts_reader
from aftomato.watcher.service import compose_watcher
from aftomato.watcher.settings import WatcherSettings


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="aftomato watcher", description=__doc__).parse_args(argv)
    try:
        amqp, etcd, kube = load(AmqpSettings), load(EtcdSettings), load(KubeSettings)
        aws, health, settings = load(AwsSettings), load(HealthSettings), load(WatcherSettings)
        reporting_settings, reader = load(ReportingSettings), load(ScriptsReaderSettings)
        scripts = load(ScriptsSettings) if os.environ.get("AFTOMATO_BUILD_SCRIPTS_REPO") else None
    except SettingsError as error:
        return report_settings_error("watcher", error)

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        clients = await open_cluster_clients(stack, amqp, etcd, kube)
        bus, coordination, api_client = clients.bus, clients.coordination, clients.kube
        storage = await open_build_storage(stack, aws)
        records, logs, artifacts = storage.records, storage.logs, storage.artifacts
        reporting = await open_reporting(
            stack,
            reporting_settings,
            records=records,
            coordination=coordination,
            prefix=etcd.prefix,
            scripts=scripts_reader(scripts, reader),
            scripts_poll_seconds=reader.poll_seconds,
        )
        parts = compose_watcher(
            bus=bus,
            records=records,
            logs=logs,
            artifacts=artifacts,
            coordination=coordination,
            keys=BuildKeys(etcd.prefix),
            source=KubePodSource(api_client, kube.namespace),
            settings=settings,
            prefetch=amqp.prefetch,
            reporting=reporting,
        )
        server = health_server(readiness(parts.components), CollectorRegistry(), health.port)
        return [*parts.components, server]

    return run_service("watcher", start, secrets=[amqp.url.get_secret_value()])
