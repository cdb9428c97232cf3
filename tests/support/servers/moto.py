"""A private ``moto_server`` (S3 and DynamoDB stand-in) on a loopback port, and unique names.

All tests of a session share one moto server and keep out of each other's way by names:
:func:`new_aws_names` gives every test its own table and buckets. moto keeps its state in memory,
so unlike RabbitMQ and etcd, a restarted moto server starts empty.
"""

from __future__ import annotations

import os
import secrets
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers.ports import LOOPBACK, free_port
from tests.support.servers.process import ServerProcess

START_TIMEOUT = 20.0


@dataclass(frozen=True)
class AwsNames:
    """A DynamoDB table and two S3 bucket names that no other test uses."""

    table: str
    logs_bucket: str
    artifacts_bucket: str


def new_aws_names() -> AwsNames:
    """Fresh names, valid for DynamoDB and S3 (lower case, short)."""
    suffix = secrets.token_hex(6)
    return AwsNames(
        table=f"aftomato-test-builds-{suffix}",
        logs_bucket=f"aftomato-test-logs-{suffix}",
        artifacts_bucket=f"aftomato-test-artifacts-{suffix}",
    )


REPOSITORY = Path(__file__).parents[3]


class MotoServer:
    """moto's server from this virtualenv, under ``root``, with atomic conditional writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.start_seconds: float | None = None
        """How long the last :meth:`start` took, until it answered HTTP."""
        root.mkdir(parents=True, exist_ok=True)
        # moto_server's app, with requests handled one at a time (see moto_serial.py)
        serial = "tests.support.servers.moto_serial"
        argv = [sys.executable, "-m", serial, LOOPBACK, str(self.port)]
        self._process = ServerProcess(
            f"moto_server on {self.url}",
            argv,
            env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
            cwd=root,
            log_path=root / "moto.log",
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the endpoint URL for S3 and DynamoDB clients."""
        return f"http://{LOOPBACK}:{self.port}"

    def is_running(self) -> bool:
        return self._process.is_running()

    def start(self) -> None:
        """Start moto and wait until it answers HTTP (at most 20 s)."""
        self.start_seconds = self._process.start_until(
            lambda: _answers(self.url), START_TIMEOUT, "answering HTTP"
        )

    def stop(self) -> None:
        self._process.stop(grace=10.0)

    def restart(self) -> None:
        """Stop and start again on the same port; moto's state is lost."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:
            response.read()
    except urllib.error.HTTPError as error:  # any HTTP answer means it is up
        error.close()
    return True
