"""Private RabbitMQ, etcd and moto servers for a bench's distributed set-up, under one folder.

The services' processes read the AWS credentials from the environment, so they are set here
once for the bench process and everything it starts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.cluster import TEST_CREDENTIALS, Backends
from tests.support.servers.etcd import EtcdServer
from tests.support.servers.moto import MotoServer, new_aws_names
from tests.support.servers.rabbitmq import RabbitMQServer


@contextlib.contextmanager
def private_backends(root: Path, etcd_prefix: str) -> Iterator[Backends]:
    """Start the three servers under ``root``; stop them on the way out."""
    os.environ |= {
        "AWS_ACCESS_KEY_ID": TEST_CREDENTIALS["aws-key"],
        "AWS_SECRET_ACCESS_KEY": TEST_CREDENTIALS["aws-secret"],
        "AWS_DEFAULT_REGION": TEST_CREDENTIALS["region"],
    }
    with contextlib.ExitStack() as servers:
        rabbitmq = RabbitMQServer(root / "rabbitmq", management=False)
        etcd = EtcdServer(root / "etcd")
        moto = MotoServer(root / "moto")
        for server in (rabbitmq, etcd, moto):
            servers.callback(server.close)
            server.start()
        yield Backends(rabbitmq.url(), etcd.endpoint, etcd_prefix, moto.url, new_aws_names())
