"""The JSON shapes of the API as pydantic models: answers are built through them and the OpenAPI
document is generated from them, so the two cannot drift apart (docs/api.md is the map)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aftomato.common.messages import Branch, ProjectKey
from aftomato.common.names import check_parameter_name
from aftomato.common.states import BuildState

BUILD_ID_PATTERN = r"^[0-9a-f]{32}$"
ParameterName = Annotated[str, AfterValidator(check_parameter_name)]
"""A build parameter becomes an environment variable of the build script."""


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BuildLinks(_Answer):
    self: str
    page: str
    log: str
    artifacts: str


class Build(_Answer):
    build_id: str
    project_key: str
    branch: str
    state: BuildState
    reason: str | None
    commit: str | None
    ref_type: str | None
    pull_request: int | None
    source: str | None
    actor: str | None
    requested_at: datetime
    queued_at: datetime | None
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    elapsed_seconds: float | None
    is_building: bool
    links: BuildLinks


class BuildPage(_Answer):
    builds: list[Build]
    cursor: str | None = Field(description="Pass back for the next page; null on the last page")


class BuildList(_Answer):
    builds: list[Build]


class ConfigSummary(_Answer):
    image: str | None
    timeout: int | None
    branches: str
    tags: bool
    pull_requests: bool
    concurrency: str


class ProjectLinks(_Answer):
    page: str
    builds: str


class Project(_Answer):
    key: str
    config: ConfigSummary | None
    config_error: str | None
    last_build: Build | None
    links: ProjectLinks


class ProjectList(_Answer):
    projects: list[Project]


class Artifact(_Answer):
    path: str
    size: int
    url: str


class ArtifactList(_Answer):
    artifacts: list[Artifact]


class Queue(_Answer):
    open: bool
    reason: str | None
    closed_by: str | None
    closed_at: datetime | None


class Launched(_Answer):
    build_id: str
    url: str
    page: str
    state: BuildState


class Cancelling(_Answer):
    build_id: str
    state: BuildState


class SessionState(_Answer):
    signed_in: bool
    role: str | None
    name: str | None


class Version(_Answer):
    version: str
    api: str


class ErrorDetail(_Answer):
    code: str
    message: str


class Error(_Answer):
    error: ErrorDetail


class LaunchRequest(_Body):
    project: ProjectKey
    branch: Branch
    commit: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{7,64}$")
    parameters: dict[ParameterName, str] = Field(default_factory=dict)


class QueueChange(_Body):
    open: bool
    reason: str | None = Field(default=None, max_length=1024)


class SessionRequest(_Body):
    token: str = Field(min_length=1, max_length=4096)
