"""``aftomato api``: the composition root of the REST API (and the web UI it serves).

Connects to RabbitMQ, etcd, DynamoDB, S3 and Kubernetes, reads the build scripts once, then
serves until SIGTERM, when it finishes the requests in flight.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from contextlib import AsyncExitStack

from prometheus_client import CollectorRegistry

from aftomato.api.kube_logs import KubeLiveLogs
from aftomato.api.service import compose_api
from aftomato.api.settings import ApiSettings
from aftomato.common.cluster_clients import open_cluster_clients
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.http import HttpServer
from aftomato.common.runner import Component
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.service import report_settings_error, run_service
from aftomato.common.settings import (
    AmqpSettings,
    AwsSettings,
    EtcdSettings,
    HttpSettings,
    KubeSettings,
    ScriptsSettings,
    SettingsError,
    load,
)
from aftomato.common.storage import open_build_storage


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="aftomato api", description=__doc__).parse_args(argv)
    try:
        amqp, etcd, kube = load(AmqpSettings), load(EtcdSettings), load(KubeSettings)
        aws, http, settings = load(AwsSettings), load(HttpSettings), load(ApiSettings)
        scripts_at, reader = load(ScriptsSettings), load(ScriptsReaderSettings)
    except SettingsError as error:
        return report_settings_error("api", error)

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        clients = await open_cluster_clients(stack, amqp, etcd, kube)
        bus, coordination, api_client = clients.bus, clients.coordination, clients.kube
        storage = await open_build_storage(stack, aws)
        records, logs, artifacts = storage.records, storage.logs, storage.artifacts
        repository = ScriptsRepository(
            scripts_at.repo, scripts_at.branch, reader.cache_dir, timeout=reader.git_timeout
        )
        scripts = ScriptsReader(repository)
        await scripts.refresh()
        parts = compose_api(
            bus=bus,
            records=records,
            logs=logs,
            artifacts=artifacts,
            coordination=coordination,
            keys=BuildKeys(etcd.prefix),
            scripts=scripts,
            live_logs=KubeLiveLogs(api_client, kube.namespace),
            settings=settings,
            registry=CollectorRegistry(),
            scripts_poll_seconds=reader.poll_seconds,
        )
        return [*parts.components, HttpServer(parts.app, http.host, http.port, name="api")]

    secrets = [amqp.url.get_secret_value(), *_token_values(settings)]
    return run_service("api", start, secrets=secrets)


def _token_values(settings: ApiSettings) -> list[str]:
    entries = settings.tokens.get_secret_value().split(",")
    return [entry.split(":", 2)[2] for entry in entries if entry.count(":") >= 2]
