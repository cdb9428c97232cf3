"""Whole builds through ``python -m aftomato.entrypoint``: what the console log says, exit codes."""

from pathlib import Path

from tests.entrypoint.sandbox import EXAMPLE_SCRIPTS, Sandbox

HOSTILE = "$(touch pwned)`touch pwned`'\"; touch pwned #\nsecond line\t$HOME \\n"

PROBE_SCRIPT = """\
printf '%s' "$BRANCH_TO_BUILD" > "$ARTIFACTS_DIR/branch"
printf '%s' "$COMMIT_TO_BUILD" > "$ARTIFACTS_DIR/commit"
printf '%s' "$PULL_REQUEST" > "$ARTIFACTS_DIR/pull-request"
printf '%s' "$DEPLOY_NOTE" > "$ARTIFACTS_DIR/parameter"
"""


def test_hello_world_runs_with_a_header_and_a_footer(sandbox: Sandbox) -> None:
    finished = sandbox.run(
        AFTOMATO_BUILD_SCRIPTS_DIR=str(EXAMPLE_SCRIPTS),
        PROJECT_KEY="examples/hello-world",
        BRANCH_TO_BUILD="feature/ABC-1",
        COMMIT_TO_BUILD="abc123",
    )
    assert finished.exit_code == 0, finished.text
    assert "Hello from build build-1 of examples/hello-world!\n" in finished.text
    assert "Building branch feature/ABC-1\nat commit abc123\n" in finished.text
    marked = finished.marked()
    assert marked[0] == (
        "build build-1: project 'examples/hello-world', branch 'feature/ABC-1', commit 'abc123'"
    )
    assert marked[1] == (
        f"running {EXAMPLE_SCRIPTS}/examples/hello-world/build.sh in {sandbox.workspace.resolve()}"
    )
    assert "build.sh exited with code 0" in marked
    assert marked[-1].startswith("finished: exit code 0 after ")


def test_the_failing_example_exits_with_its_own_code(sandbox: Sandbox) -> None:
    finished = sandbox.run(
        AFTOMATO_BUILD_SCRIPTS_DIR=str(EXAMPLE_SCRIPTS), PROJECT_KEY="examples/failing"
    )
    assert finished.exit_code == 3
    assert "Running the tests...\n3 tests failed\n" in finished.text
    assert finished.marked()[-1].startswith("finished: exit code 3 after ")


def test_the_script_runs_in_the_empty_workspace_without_stdin(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "pwd; ls -A | wc -l; readlink /proc/self/fd/0\n")
    finished = sandbox.run()
    assert finished.exit_code == 0
    assert f"{sandbox.workspace.resolve()}\n0\n/dev/null\n" in finished.text


def test_hostile_values_reach_the_script_unchanged_and_never_run(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", PROBE_SCRIPT)

    finished = sandbox.run(
        BRANCH_TO_BUILD=HOSTILE,
        COMMIT_TO_BUILD=HOSTILE,
        PULL_REQUEST=HOSTILE,
        DEPLOY_NOTE=HOSTILE,
    )

    assert finished.exit_code == 0, finished.text
    for name in ("branch", "commit", "pull-request", "parameter"):
        assert (sandbox.artifacts / name).read_bytes() == HOSTILE.encode()
    assert not list(sandbox.root.rglob("pwned*"))
    assert f"branch {HOSTILE!r}" in finished.marked()[0]  # shown escaped, on one line


def test_unknown_commit_and_pull_request_are_set_but_empty(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", 'set -u; echo "[$COMMIT_TO_BUILD][$PULL_REQUEST]"\n')
    finished = sandbox.run(COMMIT_TO_BUILD=None, PULL_REQUEST=None)
    assert finished.exit_code == 0, finished.text
    assert "\n[][]\n" in finished.text


def test_bad_configuration_is_named_and_nothing_runs(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "touch pwned\n")
    finished = sandbox.run(BUILD_ID=None, AFTOMATO_KILL_GRACE_SECONDS="soon")
    assert finished.exit_code == 123
    assert "BUILD_ID is required" in finished.text
    assert "AFTOMATO_KILL_GRACE_SECONDS must be a number" in finished.text
    assert not list(sandbox.root.rglob("pwned"))


def test_a_workspace_that_is_not_empty_is_refused(sandbox: Sandbox) -> None:
    sandbox.write_script("demo/project", "touch pwned\n")
    sandbox.workspace.mkdir(parents=True)
    (sandbox.workspace / "left-over").touch()
    finished = sandbox.run()
    assert finished.exit_code == 123
    assert f"{sandbox.workspace.resolve()} (AFTOMATO_WORKSPACE) is not empty" in finished.text
    assert not list(sandbox.root.rglob("pwned"))


def test_an_internal_error_is_reported_with_its_traceback(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.write_script("demo/project", "echo hi\n")
    finished = sandbox.run(PATH=str(tmp_path / "no-bash-here"))
    assert finished.exit_code == 122
    assert "internal error in the entrypoint:" in finished.marked()
    assert "Traceback (most recent call last)" in finished.text
    assert "FileNotFoundError" in finished.text
