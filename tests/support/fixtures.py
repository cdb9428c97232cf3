"""Pytest fixtures that give tests real RabbitMQ, etcd and S3/DynamoDB, isolated per test.

Session servers (``rabbitmq_server``, ``etcd_server``, ``moto_server``) start the first time a
test asks for one and stop when the session ends, interrupted or not; an ``atexit`` hook stops
whatever is left. Tests normally ask for the per-test fixtures instead:

- ``amqp_url``: a fresh vhost on the session broker, deleted afterwards;
- ``private_rabbitmq``: a broker of the test's own, for tests that stop or restart it;
- ``etcd_endpoint`` and ``etcd_prefix``: the session etcd and a key prefix, emptied afterwards;
- ``private_etcd``: an etcd of the test's own, for tests that stop or restart it;
- ``aws_endpoint`` and ``aws_names``: the moto URL (test credentials in the environment) and a
  table and buckets no other test uses.

Services running elsewhere (in containers, say) replace the session servers through
``AFTOMATO_TEST_AMQP_URL`` (``amqp_url`` is then that URL as is: tests isolate by their own queue
names), ``AFTOMATO_TEST_ETCD_URL`` (``http://host:port``) and ``AFTOMATO_TEST_AWS_ENDPOINT``.
The private servers are always local processes: only those can be restarted by a test.
"""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import pytest

from tests.support.fake_kube.fixture import fake_kube
from tests.support.servers.etcd import EtcdServer, delete_prefix
from tests.support.servers.moto import AwsNames, MotoServer, new_aws_names
from tests.support.servers.rabbitmq import RabbitMQServer

__all__ = ["fake_kube"]  # registered here with the other fixtures; defined beside the fake

AMQP_URL_ENV = "AFTOMATO_TEST_AMQP_URL"
ETCD_URL_ENV = "AFTOMATO_TEST_ETCD_URL"
AWS_ENDPOINT_ENV = "AFTOMATO_TEST_AWS_ENDPOINT"

TEST_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class _Server(Protocol):
    start_seconds: float | None

    def start(self) -> None: ...

    def close(self) -> None: ...


_ServerT = TypeVar("_ServerT", bound=_Server)

_open_servers: list[_Server] = []
_start_seconds: dict[str, list[float]] = {}


@atexit.register
def _close_open_servers() -> None:
    """The safety net: whatever a crashed or killed session left running."""
    while _open_servers:
        _open_servers.pop().close()


def _running(server: _ServerT, label: str) -> Iterator[_ServerT]:
    _open_servers.append(server)
    try:
        server.start()
        _start_seconds.setdefault(label, []).append(server.start_seconds or 0.0)
        yield server
    finally:
        server.close()
        if server in _open_servers:  # the atexit hook may have got there first
            _open_servers.remove(server)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line with how long the servers took to start: machines here are slow and noisy."""
    if _start_seconds:
        times = ", ".join(_start_time(label, seconds) for label, seconds in _start_seconds.items())
        terminalreporter.write_line(f"test servers started in: {times}")


def _start_time(label: str, seconds: list[float]) -> str:
    if len(seconds) == 1:
        return f"{label} {seconds[0]:.1f} s"
    return f"{label} {max(seconds):.1f} s (slowest of {len(seconds)})"


# ---------------------------------------------------------------- RabbitMQ


@pytest.fixture(scope="session")
def rabbitmq_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitMQServer]:
    """The session's local broker, with the management API (always local; see ``amqp_url``)."""
    yield from _running(RabbitMQServer(tmp_path_factory.mktemp("rabbitmq")), "RabbitMQ")


@pytest.fixture
def amqp_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """``amqp://guest:guest@127.0.0.1:PORT/<vhost>`` with a vhost of this test's own."""
    external = os.environ.get(AMQP_URL_ENV)
    if external:
        yield external
        return
    server: RabbitMQServer = request.getfixturevalue("rabbitmq_server")
    vhost = f"aftomato-test-{secrets.token_hex(6)}"
    server.admin.create_vhost(vhost)
    yield server.url(vhost)
    server.admin.delete_vhost(vhost)


@pytest.fixture
def private_rabbitmq(tmp_path: Path) -> Iterator[RabbitMQServer]:
    """A broker for this test alone (default vhost, no management API), stopped afterwards."""
    server = RabbitMQServer(tmp_path / "rabbitmq", management=False)
    yield from _running(server, "private RabbitMQ")


# ---------------------------------------------------------------- etcd


@pytest.fixture(scope="session")
def etcd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdServer]:
    """The session's local etcd (always local; see ``etcd_endpoint``)."""
    yield from _running(EtcdServer(tmp_path_factory.mktemp("etcd")), "etcd")


@pytest.fixture
def etcd_endpoint(request: pytest.FixtureRequest) -> str:
    """``127.0.0.1:PORT``, one entry of ``AFTOMATO_ETCD_ENDPOINTS``."""
    external = os.environ.get(ETCD_URL_ENV)
    if external:
        return _host_port(external)
    server: EtcdServer = request.getfixturevalue("etcd_server")
    return server.endpoint


@pytest.fixture
def etcd_prefix(etcd_endpoint: str) -> Iterator[str]:
    """``/aftomato-test-<hex>/``: keys under it are this test's; they are deleted afterwards."""
    prefix = f"/aftomato-test-{secrets.token_hex(6)}/"
    yield prefix
    delete_prefix(etcd_endpoint, prefix)


@pytest.fixture
def private_etcd(tmp_path: Path) -> Iterator[EtcdServer]:
    """An etcd for this test alone, stopped afterwards."""
    yield from _running(EtcdServer(tmp_path / "etcd"), "private etcd")


def _host_port(url: str) -> str:
    """``http://127.0.0.1:2379`` -> ``127.0.0.1:2379``; a bare ``host:port`` stays as it is."""
    return urlsplit(url).netloc if "://" in url else url


# ---------------------------------------------------------------- S3 and DynamoDB (moto)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """The session's local moto server (always local; see ``aws_endpoint``)."""
    yield from _running(MotoServer(tmp_path_factory.mktemp("moto")), "moto")


@pytest.fixture
def aws_endpoint(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The S3/DynamoDB endpoint URL; test credentials and region are set for this test only."""
    for name, value in TEST_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    external = os.environ.get(AWS_ENDPOINT_ENV)
    if external:
        return external
    server: MotoServer = request.getfixturevalue("moto_server")
    return server.url


@pytest.fixture
def aws_names() -> AwsNames:
    """A DynamoDB table and S3 buckets of this test's own (not created: the test does that)."""
    return new_aws_names()
