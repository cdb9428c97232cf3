"""The entrypoint's configuration: environment variables in, one frozen, typed value out.

:func:`load_config` reads every variable the package docstring lists and reports all problems
at once in a :class:`ConfigError` that names each variable and never echoes its value.
:func:`script_environment` is what the build script sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aftomato.entrypoint.exitcodes import EntrypointError, ExitCode

DEFAULT_SCRIPTS_DIR = "/scripts"
DEFAULT_WORKSPACE = "/workspace"
DEFAULT_BUCKET = "aftomato-build-artifacts"
DEFAULT_GRACE_SECONDS = 10.0
MAX_GRACE_SECONDS = 3600.0
ARTIFACTS_FOLDER_NAME = "artifacts"
"""Without ``ARTIFACTS_DIR``, artifacts go beside the workspace: ``/workspace`` → ``/artifacts``."""

_BUILD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SWITCH = {"on": True, "true": True, "yes": True, "1": True}
_SWITCH.update({"off": False, "false": False, "no": False, "0": False})


class ConfigError(EntrypointError):
    """One or more variables are missing or malformed; the message names every one."""

    exit_code = ExitCode.BAD_ENVIRONMENT


@dataclass(frozen=True)
class Build:
    """What to build; the script receives these as its environment."""

    build_id: str
    project_key: str
    branch: str
    commit: str
    """Empty when not given: the script builds the branch's latest commit."""
    pull_request: str
    """Empty when the build is not for a pull request."""


@dataclass(frozen=True)
class Upload:
    """Where artifacts go: ``s3://<bucket>/<build id>/...``."""

    bucket: str
    endpoint_url: str | None
    """An S3 stand-in (moto, LocalStack); None for AWS itself."""


@dataclass(frozen=True)
class Config:
    build: Build
    scripts_dir: Path
    workspace: Path
    artifacts_dir: Path
    upload: Upload | None
    """None when ``AFTOMATO_ARTIFACTS_UPLOAD=off``."""
    kill_grace_seconds: float


class _Reader:
    """Reads variables and remembers every problem, so that one run reports them all."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.problems: list[str] = []

    def text(self, name: str, default: str = "") -> str:
        return self._environ.get(name, "") or default

    def required(self, name: str, meaning: str) -> str:
        value = self.text(name)
        if not value:
            self.problems.append(f"{name} is required ({meaning})")
        return value

    def build_id(self) -> str:
        value = self.required("BUILD_ID", "the build's id, which names its S3 folder")
        if value and not _BUILD_ID.match(value):
            self.problems.append(
                "BUILD_ID must be 1-128 letters, digits, '.', '_' or '-', starting with a letter"
                " or digit"
            )
        return value

    def switch(self, name: str, default: bool) -> bool:
        value = self.text(name).strip().lower()
        if not value:
            return default
        if value not in _SWITCH:
            self.problems.append(f"{name} must be 'on' or 'off'")
            return default
        return _SWITCH[value]

    def seconds(self, name: str, default: float) -> float:
        value = self.text(name).strip()
        if not value:
            return default
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if not 0 <= seconds <= MAX_GRACE_SECONDS:  # also refuses nan
            self.problems.append(f"{name} must be a number of seconds, 0 to {MAX_GRACE_SECONDS:g}")
            return default
        return seconds


def load_config(environ: Mapping[str, str]) -> Config:
    """The configuration from ``environ``; raises :class:`ConfigError` naming what is wrong."""
    read = _Reader(environ)
    build = Build(
        build_id=read.build_id(),
        project_key=read.required("PROJECT_KEY", "the project's folder in the build scripts"),
        branch=read.required("BRANCH_TO_BUILD", "the branch to build"),
        commit=read.text("COMMIT_TO_BUILD"),
        pull_request=read.text("PULL_REQUEST"),
    )
    workspace = Path(read.text("AFTOMATO_WORKSPACE", DEFAULT_WORKSPACE))
    default_artifacts = str(workspace.parent / ARTIFACTS_FOLDER_NAME)
    upload = Upload(
        bucket=read.text("AFTOMATO_ARTIFACTS_BUCKET", DEFAULT_BUCKET),
        endpoint_url=read.text("AFTOMATO_AWS_ENDPOINT_URL") or None,
    )
    config = Config(
        build=build,
        scripts_dir=Path(read.text("AFTOMATO_BUILD_SCRIPTS_DIR", DEFAULT_SCRIPTS_DIR)),
        workspace=workspace,
        artifacts_dir=Path(read.text("ARTIFACTS_DIR", default_artifacts)),
        upload=upload if read.switch("AFTOMATO_ARTIFACTS_UPLOAD", default=True) else None,
        kill_grace_seconds=read.seconds("AFTOMATO_KILL_GRACE_SECONDS", DEFAULT_GRACE_SECONDS),
    )
    if read.problems:
        raise ConfigError("configuration refused: " + "; ".join(read.problems))
    return config


def script_environment(
    build: Build, artifacts_dir: Path, inherited: Mapping[str, str]
) -> dict[str, str]:
    """The script's environment: everything inherited (build parameters included) plus the build.

    Values travel as environment only, never through a command line, so no quoting is involved.
    ``COMMIT_TO_BUILD`` and ``PULL_REQUEST`` are always set (empty when unknown), so scripts
    under ``set -u`` can test them.
    """
    environment = dict(inherited)
    environment.update(
        BUILD_ID=build.build_id,
        PROJECT_KEY=build.project_key,
        BRANCH_TO_BUILD=build.branch,
        COMMIT_TO_BUILD=build.commit,
        PULL_REQUEST=build.pull_request,
        ARTIFACTS_DIR=str(artifacts_dir),
    )
    return environment
