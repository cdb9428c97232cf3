"""The user commands against a real ``aftomato up``, and against no server at all."""

from __future__ import annotations

import re

import pytest

from aftomato.cli.main import main
from tests.cli.up_process import UpProcess
from tests.support.servers.ports import free_port

pytestmark = pytest.mark.integration  # a real aftomato up, started as a subprocess

BUILD_ID = re.compile(r"build ([0-9a-f]{32}) requested")


@pytest.fixture
def server(up: UpProcess, monkeypatch: pytest.MonkeyPatch) -> UpProcess:
    """The commands find the server and the token as a user's shell would give them."""
    monkeypatch.setenv("AFTOMATO_SERVER", up.url)
    monkeypatch.setenv("AFTOMATO_DATA_DIR", str(up.data_dir))
    monkeypatch.delenv("AFTOMATO_TOKEN", raising=False)
    return up


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_build_follow_shows_progress_and_log_and_exits_0_on_success(
    server: UpProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "build", "examples/hello-world", "--branch", "main", "--follow")
    assert (code, err) == (0, "")
    build_id = BUILD_ID.search(out)
    assert build_id is not None, out
    assert f"Hello from build {build_id.group(1)} of examples/hello-world!" in out
    assert "Building branch main" in out
    assert out.rstrip().endswith(f"build {build_id.group(1)} succeeded")


def test_build_follow_exits_1_when_the_build_fails(
    server: UpProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "build", "examples/failing", "--branch", "main", "-f")
    assert code == 1
    assert "3 tests failed" in out
    assert out.rstrip().endswith("failed: build.sh exited with code 3")


def test_builds_logs_and_status(server: UpProcess, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "build", "examples/hello-world", "--branch", "release/1.0")
    assert code == 0
    match = BUILD_ID.search(out)
    assert match is not None
    build_id = match.group(1)
    code, followed, _ = run(capsys, "logs", build_id, "-f")
    assert code == 0
    assert "Building branch release/1.0" in followed
    code, stored, _ = run(capsys, "logs", build_id)
    assert (code, stored) == (0, followed)
    code, listed, _ = run(capsys, "builds", "examples/hello-world", "--branch", "release/1.0")
    assert code == 0
    assert listed.startswith(f"{build_id}  succeeded  examples/hello-world 'release/1.0'  exit 0")
    code, status, _ = run(capsys, "status")
    assert code == 0
    assert f"at {server.url}" in status
    assert "queue: open" in status


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build", "no/such-project", "--branch", "main"], "answered 404: no project"),
        (["logs", "f" * 32], "answered 404"),
        (["builds", "examples/hello-world", "--limit", "0"], "answered 400"),
        (["build", "examples/hello-world", "--branch", "main", "--token", "wrong"], "401"),
    ],
)
def test_an_error_the_server_answers_is_one_line_and_exit_2(
    server: UpProcess, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert expected in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["builds", "examples/hello-world"],
        ["logs", "f" * 32],
        ["build", "x/y", "--branch", "b"],
    ],
)
def test_no_server_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AFTOMATO_SERVER", nobody)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"aftomato {argv[0]}: cannot reach the Aftomato server at {nobody}: ")
    assert err.count("\n") == 1


def test_a_server_that_is_not_a_url_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "status", "--server", "localhost:8080")
    assert code == 2
    assert "--server must be an http:// or https:// URL" in err
