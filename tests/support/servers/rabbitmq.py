"""A private RabbitMQ node on loopback ports, with its data in one folder, for the test suite.

``rabbitmq-server`` runs directly, every path and port pointed into ``root`` by environment
variables, its own epmd on its own port, nothing listening beyond 127.0.0.1. ``stop()`` and
``start()`` keep the node name, the ports and the data folder, so durable queues and persistent
messages survive ``restart()`` as they would on a real broker.

With ``management=True`` the management plugin listens too, and :attr:`admin` creates a fresh
vhost per test over HTTP. RabbitMQ 3.10 then needs ~5 s more to stop (the plugin waits out a
timeout; fixed in 3.13), so :meth:`close`, which throws the data away, does not wait for it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import string
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import aio_pika

from tests.support.servers.ports import LOOPBACK, free_ports, is_listening
from tests.support.servers.process import ServerProcess
from tests.support.servers.rabbitmq_admin import ManagementApi

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
START_TIMEOUT = 60.0


class RabbitMQServer:
    """One RabbitMQ node under ``root``; the default ``guest`` user may connect from loopback."""

    def __init__(self, root: Path, *, management: bool = True) -> None:
        self.root = root
        self.management = management
        self.amqp_port, self.dist_port, self.epmd_port, self.management_port = free_ports(4)
        self.node_name = f"aftomato-test-{secrets.token_hex(4)}@localhost"
        self.start_seconds: float | None = None
        """How long the last :meth:`start` took, until an AMQP connection succeeded."""
        self._write_files()
        self._process = ServerProcess(
            f"RabbitMQ {self.node_name}",
            [RABBITMQ_SERVER],
            env=self._env(),
            cwd=root,
            log_path=root / "stdout.log",
            extra_logs=[root / "log" / f"{self.node_name}.log"],
        )

    def url(self, vhost: str = "/") -> str:
        """``amqp://guest:guest@127.0.0.1:PORT/<vhost>``, the vhost URL-encoded."""
        return f"amqp://guest:guest@{LOOPBACK}:{self.amqp_port}/{quote(vhost, safe='')}"

    @property
    def admin(self) -> ManagementApi:
        """The management HTTP API as ``guest``; only with ``management=True``."""
        if not self.management:
            raise RuntimeError(f"{self.node_name} runs without the management plugin")
        return ManagementApi(f"http://{LOOPBACK}:{self.management_port}", "guest", "guest")

    @property
    def pid(self) -> int | None:
        """The start script's pid, which is also the id of the node's process group."""
        return self._process.pid

    def is_running(self) -> bool:
        return self._process.is_running()

    def start(self) -> None:
        """Start the node and wait until an AMQP connection to it succeeds (at most 60 s)."""
        started = time.monotonic()
        self._process.start()
        try:
            self._process.wait_until(
                lambda: is_listening(self.amqp_port), START_TIMEOUT, "listening for AMQP"
            )
            left = max(START_TIMEOUT - (time.monotonic() - started), 1.0)
            self._process.wait_until(lambda: _amqp_connects(self.url()), left, "accepting AMQP")
        except BaseException:
            self.stop(grace=5.0)
            raise
        self.start_seconds = time.monotonic() - started

    def stop(self, grace: float = 30.0) -> None:
        """Stop the node (SIGTERM, SIGKILL after ``grace`` seconds) and its epmd."""
        self._process.stop(grace)
        self._kill_epmd()

    def restart(self) -> None:
        """Stop and start again on the same ports with the same data folder."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop for good without waiting for a clean shutdown: the data is thrown away."""
        self.stop(grace=2.0)

    def _kill_epmd(self) -> None:
        deadline = time.monotonic() + 10.0
        while is_listening(self.epmd_port) and time.monotonic() < deadline:
            # epmd refuses while the node is still registered, i.e. for a moment after it exits
            subprocess.run(
                ["epmd", "-port", str(self.epmd_port), "-kill"],
                cwd=self.root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
                check=False,
            )
            time.sleep(0.05)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.pop("NOTIFY_SOCKET", None)
        env.update(
            HOME=str(self.root / "home"),
            RABBITMQ_NODENAME=self.node_name,
            RABBITMQ_NODE_IP_ADDRESS=LOOPBACK,
            RABBITMQ_NODE_PORT=str(self.amqp_port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.root / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.root / "log"),
            RABBITMQ_CONFIG_FILE=str(self.root / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.root / "advanced.config"),
            RABBITMQ_CONF_ENV_FILE=str(self.root / "rabbitmq-env.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.root / "enabled_plugins"),
            # Erlang's schedulers spin while waiting for work; on two cores shared with the
            # services under test that spinning is CPU they lack (a fifth of the broker's CPU
            # per message, measured at 200 messages/s), so they sleep instead.
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=(
                "-kernel inet_dist_use_interface {127,0,0,1}"
                " +sbwt none +sbwtdcpu none +sbwtdio none"
            ),
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS=LOOPBACK,
        )
        return env

    def _write_files(self) -> None:
        for folder in ("home", "mnesia", "log"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        cookie = self.root / "home" / ".erlang.cookie"
        cookie.write_text("".join(secrets.choice(string.ascii_uppercase) for _ in range(20)))
        cookie.chmod(0o400)
        (self.root / "rabbitmq-env.conf").write_text("")
        (self.root / "rabbitmq.conf").write_text(self._config())
        plugins = "rabbitmq_management" if self.management else ""
        (self.root / "enabled_plugins").write_text(f"[{plugins}].\n")

    def _config(self) -> str:
        lines = [
            f"listeners.tcp.default = {LOOPBACK}:{self.amqp_port}",
            "loopback_users.guest = true",
            "log.file.level = info",
        ]
        if self.management:
            lines += [
                f"management.tcp.ip = {LOOPBACK}",
                f"management.tcp.port = {self.management_port}",
            ]
        return "\n".join(lines) + "\n"


def _amqp_connects(url: str) -> bool:
    """Whether a real AMQP connection opens (on its own thread: a test's loop may be running)."""

    async def attempt() -> None:
        connection = await aio_pika.connect(url, timeout=5)
        await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(attempt())).result()
    return True
