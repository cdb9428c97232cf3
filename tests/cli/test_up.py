"""``aftomato up`` from the outside: started as a user starts it, driven as a user drives it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from aftomato.cli.embedded.settings import EXAMPLES
from aftomato.common.states import BuildState
from tests.cli.up_process import UpProcess

pytestmark = pytest.mark.integration  # a real aftomato up, started as a subprocess

DASHBOARD_SECONDS = 5.0


def test_the_dashboard_answers_within_5_s_of_start(tmp_path: Path) -> None:
    fresh = UpProcess.start(tmp_path / "data")  # its own: the shared one started long ago
    try:
        page = _first_page(fresh.url + "/", until=fresh.started_at + DASHBOARD_SECONDS)
    finally:
        fresh.stop()
    assert page is not None, f"no dashboard within {DASHBOARD_SECONDS} s of start"
    assert "<html" in page.lower()


def _first_page(url: str, until: float) -> str | None:
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return str(response.read().decode())
        except OSError:
            time.sleep(0.05)
    return None


def test_the_printed_webhook_command_builds_hello_world(up: UpProcess) -> None:
    answer = subprocess.run(  # noqa: S602 - exactly what a user pastes into a shell
        up.curl, shell=True, capture_output=True, text=True, check=False, timeout=30
    )
    assert answer.returncode == 0, answer.stderr + answer.stdout
    build_id = json.loads(answer.stdout)["builds"][0]["build_id"]
    build = up.wait_until(build_id, BuildState.SUCCEEDED)
    assert (build["state"], build["exit_code"]) == ("succeeded", 0)
    assert build["project_key"] == "examples/hello-world"
    assert f"Hello from build {build_id} of examples/hello-world!" in up.log(build_id)


def test_a_failing_example_ends_failed_with_its_exit_code(up: UpProcess) -> None:
    build_id = up.launch("examples/failing")
    build = up.wait_until(build_id, BuildState.FAILED)
    assert (build["state"], build["exit_code"]) == ("failed", 3)
    assert build["reason"] == "build.sh exited with code 3"
    assert "3 tests failed" in up.log(build_id)


def test_the_same_port_serves_every_service(up: UpProcess) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/api/v1/version", "/api/v1/projects"):
        status, _ = up.request("GET", path)
        assert status == 200, path
    status, body = up.request("POST", "/hooks/generic", {"project_key": "x", "branch": "y"})
    assert status == 401, body  # unsigned: the ingest's answer, on the same port


def test_ctrl_c_cancels_and_records_running_builds_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    scripts, temp = tmp_path / "scripts", tmp_path / "tmp"
    shutil.copytree(EXAMPLES, scripts)
    (scripts / "tests" / "slow").mkdir(parents=True)
    (scripts / "tests" / "slow" / "build.sh").write_text(
        'echo "script pid $$"\nsleep 300 &\necho "sleeper pid $!"\nwait\n'
    )
    temp.mkdir()
    server = UpProcess.start(tmp_path / "data", "--scripts", str(scripts), temp_dir=temp)
    try:
        build_id = server.launch("tests/slow")
        server.wait_until(build_id, BuildState.RUNNING)
        live = _followed_until(server, build_id, "sleeper pid")
        assert server.interrupt() == 0, server.text
    finally:
        server.stop()
    pids = [int(line.rsplit(" ", 1)[1]) for line in live.splitlines() if " pid " in line]
    assert len(pids) == 2
    assert not any(_alive(pid) for pid in pids), "a build process outlived aftomato up"
    assert list(temp.iterdir()) == [], "aftomato up left files behind"
    again = UpProcess.start(tmp_path / "data", "--scripts", str(scripts), temp_dir=temp)
    try:
        build = again.json(f"/api/v1/builds/{build_id}")
        assert (build["state"], build["reason"]) == ("cancelled", "aftomato up was stopped")
        assert "sleeper pid" in again.log(build_id)
    finally:
        again.stop()


def _followed_until(server: UpProcess, build_id: str, text: str) -> str:
    deadline = time.monotonic() + 30
    request = urllib.request.Request(f"{server.url}/api/v1/builds/{build_id}/log?follow=1")
    seen = b""
    with urllib.request.urlopen(request, timeout=30) as response:
        while text.encode() not in seen and time.monotonic() < deadline:
            seen += response.read1(4096)
    return seen.decode()


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that will never reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--scripts", "/no/such/folder"],
            "the build scripts folder /no/such/folder does not exist",
        ),
        (["--port", "http"], "AFTOMATO_HTTP_PORT"),
    ],
)
def test_a_bad_setting_stops_up_at_once_naming_it(
    tmp_path: Path, arguments: list[str], expected: str
) -> None:
    command = [sys.executable, "-m", "aftomato.cli.main", "up", "--data-dir", str(tmp_path)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
    done = subprocess.run(
        [*command, "--port", "0", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert expected in done.stderr
