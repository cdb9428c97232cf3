"""The ``cluster`` fixture: Aftomato's four services as processes around the fake cluster.

When a test fails, the end of each service's log is printed with its report (``diagnostics.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.cluster import Backends, Cluster, running_cluster
from tests.e2e.diagnostics import LOG_LINES, print_log_tails
from tests.support.servers.moto import AwsNames

__all__ = ["FAILED", "LOG_LINES", "pytest_runtest_makereport"]  # tests/reliability uses them

FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
async def cluster(
    request: pytest.FixtureRequest,
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
    if request.node.stash.get(FAILED, False):
        print_log_tails(tmp_path / "logs")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
