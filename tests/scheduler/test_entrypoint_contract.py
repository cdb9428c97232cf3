"""The build pod gives the entrypoint exactly what its configuration reads, at the right paths."""

from pathlib import Path
from typing import Any

from aftomato.common.names import RESERVED_PARAMETERS
from aftomato.common.scripts.config import ProjectConfig
from aftomato.entrypoint.config import Build, Upload, load_config
from aftomato.scheduler.manifests import BUILD_COMMAND, RUN_AS, build_pod
from tests.scheduler.samples import context, request


class Recording(dict[str, str]):
    """An environment that remembers every name read from it."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def build_container(**fields: Any) -> dict[str, Any]:
    custom = context(aws={"AFTOMATO_AWS_ENDPOINT_URL": "http://moto:5000"})
    pod = build_pod(request(**fields), ProjectConfig(), custom)
    container: dict[str, Any] = pod["spec"]["containers"][0]
    return container


def test_the_entrypoint_reads_what_the_pod_sets() -> None:
    container = build_container(commit="abc1234", pull_request=5, parameters={"EXTRA": "1"})
    literal = {v["name"]: v["value"] for v in container["env"] if "value" in v}
    environ = Recording(literal)
    mounts = {mount["name"]: Path(mount["mountPath"]) for mount in container["volumeMounts"]}

    config = load_config(environ)

    assert config.build == Build("0f3c9a", "group/sub/app", "feature/Login", "abc1234", "5")
    assert config.scripts_dir == mounts["scripts"]
    assert config.workspace == mounts["workspace"]
    assert config.artifacts_dir == mounts["artifacts"]
    assert config.upload == Upload("aftomato-build-artifacts", "http://moto:5000")
    assert config.kill_grace_seconds == 10.0
    ours = {name for name in literal if name.startswith("AFTOMATO_")} | (
        RESERVED_PARAMETERS & literal.keys()
    )
    assert ours <= environ.read, "the pod sets variables the entrypoint never reads"
    assert environ.read - literal.keys() == {"AFTOMATO_ARTIFACTS_UPLOAD"}  # on by default


def test_without_commit_or_pull_request_the_entrypoint_sees_them_empty() -> None:
    literal = {v["name"]: v["value"] for v in build_container()["env"] if "value" in v}

    build = load_config(literal).build

    assert (build.commit, build.pull_request) == ("", "")


def test_the_command_and_user_are_the_base_images() -> None:
    dockerfile = (
        Path(__file__).resolve().parents[2] / "build-container" / "Dockerfile"
    ).read_text()
    entrypoint = next(line for line in dockerfile.splitlines() if line.startswith("ENTRYPOINT"))

    assert entrypoint == "ENTRYPOINT " + str(list(BUILD_COMMAND)).replace("'", '"')
    assert build_container()["command"] == list(BUILD_COMMAND)
    assert f"USER {RUN_AS}:{RUN_AS}" in dockerfile
