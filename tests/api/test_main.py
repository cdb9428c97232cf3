"""``aftomato api`` as its container runs it: on real RabbitMQ, etcd, moto and the fake
Kubernetes API; serving, stopping cleanly on SIGTERM, never logging a token."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.api.rig import OPERATOR, TOKENS, bearer
from tests.api.scripts import PROJECTS
from tests.scheduler.test_main import kubeconfig, ready
from tests.support.fake_kube import FakeKube
from tests.support.servers.moto import AwsNames
from tests.support.servers.ports import free_port
from tests.support.waiting import eventually
from tests.watcher.rig import aws_settings, create_aws_resources


def api(env: dict[str, str]) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
    return subprocess.Popen(
        [sys.executable, "-m", "aftomato.cli.main", "api"],
        env=clean | {"AFTOMATO_LOG_FORMAT": "json"} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_scripts(folder: Path) -> Path:
    for name, text in PROJECTS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def call(url: str, body: dict[str, str] | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    headers = {**bearer(OPERATOR), "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, json.load(answer)


@pytest.mark.integration
async def test_the_api_process_serves_and_stops_cleanly(
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
    tmp_path: Path,
) -> None:
    await create_aws_resources(aws_settings(aws_endpoint, aws_names))
    port = free_port()
    process = api(
        {
            "AFTOMATO_AMQP_URL": amqp_url,
            "AFTOMATO_ETCD_ENDPOINTS": etcd_endpoint,
            "AFTOMATO_ETCD_PREFIX": etcd_prefix,
            "AFTOMATO_AWS_ENDPOINT_URL": aws_endpoint,
            "AFTOMATO_DYNAMODB_TABLE": aws_names.table,
            "AFTOMATO_LOGS_BUCKET": aws_names.logs_bucket,
            "AFTOMATO_ARTIFACTS_BUCKET": aws_names.artifacts_bucket,
            "KUBECONFIG": str(kubeconfig(tmp_path / "kubeconfig", fake_kube.url)),
            "AFTOMATO_BUILD_SCRIPTS_REPO": str(write_scripts(tmp_path / "scripts")),
            "AFTOMATO_BUILD_SCRIPTS_CACHE": str(tmp_path / "cache"),
            "AFTOMATO_HTTP_HOST": "127.0.0.1",
            "AFTOMATO_HTTP_PORT": str(port),
            "AFTOMATO_API_TOKENS": TOKENS,
        }
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        await eventually(lambda: process.poll() is not None or ready(port), within=30)
        assert process.poll() is None, process.communicate()[1]
        status, projects = await asyncio.to_thread(call, f"{base}/projects")
        assert status == 200
        assert isinstance(projects, dict)
        assert [p["key"] for p in projects["projects"]] == ["broken", "team/app", "team/lib"]
        launch = {"project": "team/app", "branch": "main"}
        status, _ = await asyncio.to_thread(call, f"{base}/builds", launch)
        assert status == 202
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    assert OPERATOR not in stderr
    assert "guest:guest" not in stderr


@pytest.mark.parametrize(
    ("tokens", "named"),
    [
        ("ci:root:abcdefghijklmnopq", "entry 1: role 'root'"),
        ("ci:viewer:short-secret", "entry 1: the token is shorter"),
    ],
)
def test_bad_tokens_stop_the_api_naming_the_entry_never_the_token(
    tokens: str, named: str, tmp_path: Path
) -> None:
    process = api(
        {
            "AFTOMATO_AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
            "AFTOMATO_ETCD_ENDPOINTS": "127.0.0.1:1",
            "AFTOMATO_BUILD_SCRIPTS_REPO": str(tmp_path),
            "KUBECONFIG": str(tmp_path / "none"),
            "AFTOMATO_API_TOKENS": tokens,
        }
    )
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert "AFTOMATO_API_TOKENS" in stderr
    assert named in stderr
    assert tokens.rsplit(":", 1)[1] not in stderr


def test_a_missing_variable_is_named() -> None:
    process = api({})
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert "AFTOMATO_AMQP_URL is required" in stderr
