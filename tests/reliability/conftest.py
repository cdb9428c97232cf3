"""Fixtures of the reliability suite: the end-to-end rig of ``tests/e2e`` on shared or private
back ends, and the end of every service's log printed when a test fails."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.cluster import Backends, Cluster, running_cluster
from tests.e2e.conftest import FAILED, pytest_runtest_makereport
from tests.e2e.diagnostics import print_log_tails
from tests.support.servers.moto import AwsNames

__all__ = ["pytest_runtest_makereport"]  # marks failed tests, as in tests/e2e

StartCluster = Callable[..., AbstractAsyncContextManager[Cluster]]


@pytest.fixture
def backends(
    amqp_url: str, etcd_endpoint: str, etcd_prefix: str, aws_endpoint: str, aws_names: AwsNames
) -> Backends:
    """The session's broker (a vhost of the test's own), etcd (a prefix) and moto."""
    return Backends(amqp_url, etcd_endpoint, etcd_prefix, aws_endpoint, aws_names)


@pytest.fixture
def start_cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StartCluster]:
    """``async with start_cluster(backends, settings=...) as cluster``: one cluster per test, in
    ``tmp_path``; the services' logs are in ``tmp_path / "logs"``."""

    @contextlib.asynccontextmanager
    async def start(
        backends: Backends, settings: Mapping[str, str] | None = None
    ) -> AsyncIterator[Cluster]:
        async with running_cluster(backends, tmp_path, settings=settings) as cluster:
            yield cluster

    yield start
    if request.node.stash.get(FAILED, False):
        print_log_tails(tmp_path / "logs")


@pytest.fixture
async def cluster(start_cluster: StartCluster, backends: Backends) -> AsyncIterator[Cluster]:
    async with start_cluster(backends) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
