"""``aftomato ingest`` as the container runs it: set up by the environment, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.ingest.queues import queued_messages
from tests.support.servers.ports import free_port

GOOD_ENV = {"AFTOMATO_WEBHOOK_SECRET": "s3cret-value", "AFTOMATO_LOG_FORMAT": "json"}


def aftomato(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aftomato.cli.main", *args],
        env={k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, headers=headers or {}), timeout=5
        ) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if request(f"{base}/readyz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("aftomato ingest never became ready")


@pytest.mark.integration
def test_ingest_serves_signed_webhooks_and_drains_on_sigterm(amqp_url: str) -> None:
    port = free_port()
    env = GOOD_ENV | {"AFTOMATO_AMQP_URL": amqp_url, "AFTOMATO_HTTP_PORT": str(port)}
    process = aftomato("ingest", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        body = json.dumps({"project_key": "team/app", "branch": "main"}).encode()
        digest = hmac.new(b"s3cret-value", body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Aftomato-Signature": f"sha256={digest}"}
        # No scheduler ran yet: ingest declared its queue, where the request waits for it.
        assert request(f"{base}/hooks/generic", body, headers) == 202
        assert len(asyncio.run(queued_messages(amqp_url))) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "s3cret-value" not in stderr
    assert "amqp://guest:guest@" not in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "webhook delivery" for line in lines)
    assert all(line["component"] == "ingest" for line in lines)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AFTOMATO_WEBHOOK_SECRET": "x"}, "AFTOMATO_AMQP_URL is required"),
        ({"AFTOMATO_AMQP_URL": "amqp://127.0.0.1:1/"}, "AFTOMATO_WEBHOOK_SECRET"),
        (
            {
                "AFTOMATO_AMQP_URL": "amqp://h/",
                "AFTOMATO_WEBHOOK_SECRET": "x",
                "AFTOMATO_HTTP_PORT": "eighty",
            },
            "AFTOMATO_HTTP_PORT",
        ),
    ],
)
def test_bad_configuration_stops_ingest_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    process = aftomato("ingest", env=env | {"AFTOMATO_LOG_FORMAT": "json"})
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert named in stderr
