from pathlib import Path

import pytest

from aftomato.entrypoint.config import (
    Build,
    ConfigError,
    Upload,
    load_config,
    script_environment,
)

REQUIRED = {"BUILD_ID": "0f3c", "PROJECT_KEY": "group/sub/repo", "BRANCH_TO_BUILD": "main"}


def test_the_defaults_follow_the_design() -> None:
    config = load_config(REQUIRED)
    assert config.build == Build("0f3c", "group/sub/repo", "main", commit="", pull_request="")
    assert config.scripts_dir == Path("/scripts")
    assert config.workspace == Path("/workspace")
    assert config.artifacts_dir == Path("/artifacts")
    assert config.upload == Upload("aftomato-build-artifacts", endpoint_url=None)
    assert config.kill_grace_seconds == 10.0


def test_every_variable_is_read() -> None:
    config = load_config(
        {
            **REQUIRED,
            "COMMIT_TO_BUILD": "abc123",
            "PULL_REQUEST": "42",
            "AFTOMATO_BUILD_SCRIPTS_DIR": "/srv/scripts",
            "AFTOMATO_WORKSPACE": "/tmp/b/ws",
            "ARTIFACTS_DIR": "/tmp/b/out",
            "AFTOMATO_ARTIFACTS_BUCKET": "my-artifacts",
            "AFTOMATO_AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
            "AFTOMATO_KILL_GRACE_SECONDS": "2.5",
        }
    )
    assert (config.build.commit, config.build.pull_request) == ("abc123", "42")
    assert config.scripts_dir == Path("/srv/scripts")
    assert (config.workspace, config.artifacts_dir) == (Path("/tmp/b/ws"), Path("/tmp/b/out"))
    assert config.upload == Upload("my-artifacts", "http://127.0.0.1:5000")
    assert config.kill_grace_seconds == 2.5


def test_artifacts_go_beside_the_workspace_by_default() -> None:
    config = load_config({**REQUIRED, "AFTOMATO_WORKSPACE": "/tmp/b/workspace"})
    assert config.artifacts_dir == Path("/tmp/b/artifacts")


@pytest.mark.parametrize("value", ["off", "OFF", "false", "no", "0"])
def test_upload_can_be_turned_off(value: str) -> None:
    assert load_config({**REQUIRED, "AFTOMATO_ARTIFACTS_UPLOAD": value}).upload is None


def test_every_missing_variable_is_named() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"BUILD_ID": "", "COMMIT_TO_BUILD": "abc"})
    message = str(raised.value)
    for name in ("BUILD_ID", "PROJECT_KEY", "BRANCH_TO_BUILD"):
        assert f"{name} is required" in message
    assert raised.value.exit_code == 123


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BUILD_ID", "../other-build"),
        ("BUILD_ID", "a/b"),
        ("BUILD_ID", ".hidden"),
        ("AFTOMATO_KILL_GRACE_SECONDS", "soon"),
        ("AFTOMATO_KILL_GRACE_SECONDS", "-1"),
        ("AFTOMATO_KILL_GRACE_SECONDS", "nan"),
        ("AFTOMATO_KILL_GRACE_SECONDS", "inf"),
        ("AFTOMATO_ARTIFACTS_UPLOAD", "maybe"),
    ],
)
def test_a_malformed_variable_is_named_without_its_value(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({**REQUIRED, name: value})
    assert name in str(raised.value)
    assert value not in str(raised.value)


def test_the_script_sees_the_build_and_everything_inherited() -> None:
    build = Build("0f3c", "group/repo", "feature/x", commit="", pull_request="7")
    inherited = {"PATH": "/usr/bin", "DEPLOY_TARGET": "staging", "BRANCH_TO_BUILD": "stale"}
    environment = script_environment(build, Path("/tmp/b/artifacts"), inherited)
    assert environment == {
        "PATH": "/usr/bin",
        "DEPLOY_TARGET": "staging",
        "BUILD_ID": "0f3c",
        "PROJECT_KEY": "group/repo",
        "BRANCH_TO_BUILD": "feature/x",
        "COMMIT_TO_BUILD": "",
        "PULL_REQUEST": "7",
        "ARTIFACTS_DIR": "/tmp/b/artifacts",
    }
    assert inherited["BRANCH_TO_BUILD"] == "stale"  # the caller's mapping is left alone
