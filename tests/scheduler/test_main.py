"""``aftomato scheduler`` as its container runs it, on real RabbitMQ and etcd and the fake API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.settings import AmqpSettings
from tests.scheduler.harness import NAMESPACE, request, write_build_scripts
from tests.support.fake_kube import FakeKube
from tests.support.servers.ports import free_port
from tests.support.waiting import eventually


def kubeconfig(path: Path, server: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "fake", "cluster": {"server": server}}],
                "users": [{"name": "test", "user": {"token": "unused"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "test"}}],
                "current-context": "fake",
            }
        )
    )
    return path


def scheduler(env: dict[str, str]) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
    return subprocess.Popen(
        [sys.executable, "-m", "aftomato.cli.main", "scheduler"],
        env=clean | {"AFTOMATO_LOG_FORMAT": "json"} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


@pytest.mark.integration
async def test_the_scheduler_process_creates_pods_and_stops_cleanly(
    amqp_url: str, etcd_endpoint: str, etcd_prefix: str, fake_kube: FakeKube, tmp_path: Path
) -> None:
    health = free_port()
    process = scheduler(
        {
            "AFTOMATO_AMQP_URL": amqp_url,
            "AFTOMATO_ETCD_ENDPOINTS": etcd_endpoint,
            "AFTOMATO_ETCD_PREFIX": etcd_prefix,
            "KUBECONFIG": str(kubeconfig(tmp_path / "kubeconfig", fake_kube.url)),
            "AFTOMATO_BUILD_SCRIPTS_REPO": str(write_build_scripts(tmp_path / "scripts")),
            "AFTOMATO_BUILD_SCRIPTS_CACHE": str(tmp_path / "cache"),
            "AFTOMATO_HEALTH_PORT": str(health),
        }
    )
    try:
        await eventually(lambda: process.poll() is not None or ready(health), within=30)
        assert process.poll() is None, process.communicate()[1]
        bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(amqp_url)))
        try:
            await bus.publish(request("team/queue-app"))
        finally:
            await bus.close()
        await eventually(lambda: fake_kube.pods(NAMESPACE), within=20, what="a build pod")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    assert "guest:guest" not in stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "AFTOMATO_AMQP_URL is required"),
        ({"AFTOMATO_AMQP_URL": "amqp://h/"}, "AFTOMATO_ETCD_ENDPOINTS is required"),
        (
            {"AFTOMATO_AMQP_URL": "amqp://h/", "AFTOMATO_ETCD_ENDPOINTS": "e:1"},
            "AFTOMATO_BUILD_SCRIPTS_REPO is required",
        ),
        (
            {
                "AFTOMATO_AMQP_URL": "amqp://h/",
                "AFTOMATO_ETCD_ENDPOINTS": "e:1",
                "AFTOMATO_BUILD_SCRIPTS_REPO": "/x",
                "AFTOMATO_MAX_RUNNING_BUILDS": "-1",
            },
            "AFTOMATO_MAX_RUNNING_BUILDS",
        ),
    ],
)
def test_bad_configuration_stops_the_scheduler_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    process = scheduler(env)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert named in stderr
