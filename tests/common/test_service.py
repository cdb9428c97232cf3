"""The runner as a process: SIGTERM drains, a failure stops everything, bad settings exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(mode: str, port: int, **env: str) -> subprocess.Popen[str]:
    environ = os.environ | {"AFTOMATO_HEALTH_PORT": str(port), "AFTOMATO_LOG_FORMAT": "json"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.common.sample_service", mode],
        cwd=ROOT,
        env=environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_ready(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if get(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the sample service never became ready")


def log_lines(stderr: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_sigterm_drains_work_in_flight_then_exits_0() -> None:
    port = free_port()
    process = start("drain", port, SAMPLE_TOKEN="tok-123456")
    wait_ready(port, process)
    assert get(f"http://127.0.0.1:{port}/healthz") == (200, '{"status": "ok"}')
    status, metrics = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    assert "sample_ticks_total" in metrics
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    events = [line["event"] for line in log_lines(stderr)]
    assert "stopping: draining work in flight" in events
    assert events.index("worker finished its work in flight") < events.index("stopped cleanly")
    assert all(line["component"] == "sample" for line in log_lines(stderr))
    assert "tok-123456" not in stderr


def test_a_failing_component_stops_the_process_and_says_why() -> None:
    process = start("fail", free_port(), SAMPLE_TOKEN="tok-123456")
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    failure = [line for line in log_lines(stderr) if line["event"] == "service failed"]
    assert "worker failed" in str(failure[0]["error"])
    assert "the disk is on fire" in str(failure[0]["error"])


def test_a_component_that_stops_on_its_own_is_a_failure() -> None:
    process = start("stop", free_port(), SAMPLE_TOKEN="tok-123456")
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "stopped although nobody asked it to" in stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SAMPLE_TOKEN is required"),
        ({"SAMPLE_TOKEN": "tok-123456", "AFTOMATO_LOG_FORMAT": "yaml"}, "AFTOMATO_LOG_FORMAT"),
    ],
)
def test_bad_configuration_exits_2_naming_the_variable(env: dict[str, str], named: str) -> None:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k != "SAMPLE_TOKEN"}
    environ |= {"AFTOMATO_HEALTH_PORT": str(port), "AFTOMATO_LOG_FORMAT": "json"} | env
    process = subprocess.run(
        [sys.executable, "-m", "tests.common.sample_service", "drain"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert process.returncode == 2
    assert named in process.stderr
