"""Aftomato distributed: ``aftomato ingest``, ``scheduler``, ``watcher`` and ``api`` as separate
processes on real RabbitMQ, etcd and moto, with the fake Kubernetes API and its node playing
kubelet (build pods run as local processes: the init clone, then the build-container entrypoint).

The services find the fake API through a kubeconfig (``KUBECONFIG``) and everything else through
the ``AFTOMATO_*`` variables of docs/configuration.md. The pytest fixture ``cluster``
(``conftest.py``) and ``bench/e2e.py`` both start one with :func:`running_cluster`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.settings import AwsSettings
from tests.e2e.scripts_repo import BRANCH, make_scripts_repository
from tests.e2e.services import Service, service, start, stop
from tests.support.fake_kube import FakeKube
from tests.support.fake_kube.containers import LocalImage
from tests.support.fake_kube.kubeconfig import write_kubeconfig
from tests.support.fake_kube.node import Node
from tests.support.servers.moto import AwsNames
from tests.watcher.rig import aws_settings, create_aws_resources

NAMESPACE = "aftomato-builds"
WEBHOOK_SECRET = "e2e-webhook-secret"
OPERATOR_TOKEN = "e2e-operator-token"
SERVICES = ("ingest", "scheduler", "watcher", "api")
BUILD_CONTAINER = Path(__file__).parents[2] / "build-container"
AWS_SECRET = "aftomato-aws-credentials"
TEST_CREDENTIALS = {"aws-key": "testing", "aws-secret": "testing", "region": "us-east-1"}
"""moto's credentials, as the Secret ``aftomato-aws-credentials`` holds them for build pods."""


@dataclass(frozen=True)
class Backends:
    """Where the real services are: RabbitMQ (a vhost of its own), etcd (a key prefix of its
    own) and moto (a table and buckets of their own)."""

    amqp_url: str
    etcd_endpoint: str
    etcd_prefix: str
    aws_endpoint: str
    aws_names: AwsNames


@dataclass
class Cluster:
    fake: FakeKube
    node: Node
    services: dict[str, Service]
    aws: AwsSettings
    records: DynamoDbStore

    @property
    def ingest_url(self) -> str:
        return self.services["ingest"].url

    @property
    def api_url(self) -> str:
        return self.services["api"].url

    def build_pods(self) -> list[dict[str, object]]:
        return self.fake.pods(NAMESPACE)


def environment(backends: Backends, root: Path, kubeconfig: Path, scripts: Path) -> dict[str, str]:
    """The configuration every service reads (each takes the groups it needs)."""
    aws = aws_settings(backends.aws_endpoint, backends.aws_names)
    return {
        "AFTOMATO_AMQP_URL": backends.amqp_url,
        "AFTOMATO_ETCD_ENDPOINTS": backends.etcd_endpoint,
        "AFTOMATO_ETCD_PREFIX": backends.etcd_prefix,
        "AFTOMATO_AWS_ENDPOINT_URL": backends.aws_endpoint,
        "AWS_ACCESS_KEY_ID": TEST_CREDENTIALS["aws-key"],
        "AWS_SECRET_ACCESS_KEY": TEST_CREDENTIALS["aws-secret"],
        "AWS_DEFAULT_REGION": TEST_CREDENTIALS["region"],
        "AFTOMATO_DYNAMODB_TABLE": aws.table,
        "AFTOMATO_LOGS_BUCKET": aws.logs_bucket,
        "AFTOMATO_ARTIFACTS_BUCKET": aws.artifacts_bucket,
        "KUBECONFIG": str(kubeconfig),
        "AFTOMATO_BUILD_NAMESPACE": NAMESPACE,
        "AFTOMATO_BUILD_SCRIPTS_REPO": str(scripts),
        "AFTOMATO_BUILD_SCRIPTS_BRANCH": BRANCH,
        "AFTOMATO_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AFTOMATO_API_TOKENS": f"e2e:operator:{OPERATOR_TOKEN}",
        "AFTOMATO_KILL_GRACE_SECONDS": "2",
        "AFTOMATO_LOG_FORMAT": "json",
    }


def local_image() -> LocalImage:
    """Every image here: the host's programs, this virtualenv's Python (with boto3) as
    ``python3``, and the entrypoint of ``build-container/`` importable, as in the base image."""
    return LocalImage(
        programs={"python3": sys.executable},
        environment={"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": str(BUILD_CONTAINER)},
    )


@contextlib.asynccontextmanager
async def running_cluster(
    backends: Backends,
    root: Path,
    *,
    settings: Mapping[str, str] | None = None,
    names: tuple[str, ...] = SERVICES,
) -> AsyncIterator[Cluster]:
    """Start the fake API and its node, then the services; stop everything on the way out.

    ``settings`` adds or overrides variables of every service (the bench tunes intervals)."""
    aws = aws_settings(backends.aws_endpoint, backends.aws_names)
    await create_aws_resources(aws)
    scripts = make_scripts_repository(root / "build-scripts")
    logs = root / "logs"
    logs.mkdir()
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeKube())
        secrets = {AWS_SECRET: TEST_CREDENTIALS}
        node = await stack.enter_async_context(
            Node(fake, root / "node", image=local_image(), secrets=secrets)
        )
        kubeconfig = write_kubeconfig(root / "kubeconfig", fake.url)
        env = environment(backends, root, kubeconfig, scripts) | dict(settings or {})
        services = {name: service(name, env | _cache(root, name), logs) for name in names}
        stack.push_async_callback(stop, list(services.values()))
        await start(list(services.values()))
        records = await DynamoDbStore.connect(aws)
        stack.push_async_callback(records.close)
        yield Cluster(fake, node, services, aws, records)


def _cache(root: Path, name: str) -> dict[str, str]:
    """A working copy of the build scripts for each service that reads them."""
    return {"AFTOMATO_BUILD_SCRIPTS_CACHE": str(root / f"scripts-cache-{name}")}
