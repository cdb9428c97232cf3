"""A private single-member etcd on loopback ports, with its data in one folder.

``stop()`` and ``start()`` keep the ports and the data folder, so keys (and leases that have
not expired) survive ``restart()``. Short raft timers make the member elect itself in ~0.2 s;
with one member there is nobody to disagree with.

:func:`delete_prefix` talks to etcd's JSON gateway, so fixtures can clean up without an event loop.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from pathlib import Path

from tests.support.servers.ports import LOOPBACK, free_ports
from tests.support.servers.process import ServerProcess

START_TIMEOUT = 20.0


class EtcdServer:
    """One etcd member under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client_port, self.peer_port = free_ports(2)
        self.start_seconds: float | None = None
        """How long the last :meth:`start` took, until ``/health`` answered true."""
        root.mkdir(parents=True, exist_ok=True)
        peer_url = f"http://{LOOPBACK}:{self.peer_port}"
        argv = [
            "etcd",
            "--name=aftomato-test",
            f"--data-dir={root / 'data'}",
            f"--listen-client-urls={self.url}",
            f"--advertise-client-urls={self.url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=aftomato-test={peer_url}",
            f"--initial-cluster-token=aftomato-test-{self.client_port}",
            "--heartbeat-interval=20",
            "--election-timeout=200",
            "--logger=zap",
            "--log-outputs=stderr",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
        self._process = ServerProcess(
            f"etcd on {self.endpoint}", argv, env=env, cwd=root, log_path=root / "etcd.log"
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``"""
        return f"http://{LOOPBACK}:{self.client_port}"

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``, as ``AFTOMATO_ETCD_ENDPOINTS`` lists them."""
        return f"{LOOPBACK}:{self.client_port}"

    def is_running(self) -> bool:
        return self._process.is_running()

    def start(self) -> None:
        """Start etcd and wait until ``/health`` says true (at most 20 s)."""
        self.start_seconds = self._process.start_until(
            lambda: _healthy(self.url), START_TIMEOUT, "healthy"
        )

    def stop(self) -> None:
        self._process.stop(grace=10.0)

    def restart(self) -> None:
        """Stop and start again on the same ports with the same data folder."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()


def _healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
        health: dict[str, object] = json.loads(response.read())
    return health.get("health") == "true"


def delete_prefix(endpoint: str, prefix: str) -> None:
    """Delete every key under ``prefix`` on the etcd at ``host:port``."""
    key = prefix.encode()
    range_end = key[:-1] + bytes([key[-1] + 1])
    body = {"key": _b64(key), "range_end": _b64(range_end)}
    request = urllib.request.Request(
        f"http://{endpoint}/v3/kv/deleterange", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
