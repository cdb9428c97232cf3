"""The ``cluster`` fixture: Aftomato's four services as processes around the fake cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.cluster import Backends, Cluster, running_cluster
from tests.support.servers.moto import AwsNames


@pytest.fixture
async def cluster(
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    tmp_path: Path,
) -> AsyncIterator[Cluster]:
    backends = Backends(amqp_url, etcd_endpoint, etcd_prefix, aws_endpoint, aws_names)
    async with running_cluster(backends, tmp_path) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(raise_for_status=False) as session:
        yield session
