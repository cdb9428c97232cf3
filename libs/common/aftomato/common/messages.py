"""The messages on the ``aftomato`` exchange: past-tense facts, named after the resource.

Every model is frozen, carries ``schema_version`` and an ``event_id`` (the AMQP ``message_id``),
and knows its routing key. Their JSON Schemas are exported to ``docs/schemas/`` so that other
systems can publish ``build.requested`` themselves; ``docs/messages.md`` keeps the changelog.

Unknown fields are ignored, so a consumer keeps working when a newer producer adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from aftomato.common.ids import new_event_id
from aftomato.common.names import check_branch, check_parameter_name, check_project_key
from aftomato.common.states import BuildState

SCHEMA_VERSION = 1
"""The version producers write today. Consumers parse every version up to it."""

NAMES_CHECKED = "aftomato.names_checked"
"""Validation-context key for a producer that checked ``project_key`` and ``branch`` with
:mod:`aftomato.common.names` itself, as ingest's parsers do (to name the payload's field in the
400): ``model_validate(data, context={NAMES_CHECKED: True})`` does not check them a second time
(that was about a third of validating a ``BuildRequested``). Every other check still runs."""


def _unless_checked(check: Callable[[str], str]) -> Callable[[str, ValidationInfo], str]:
    def validate(value: str, info: ValidationInfo) -> str:
        if info.context is not None and info.context.get(NAMES_CHECKED) is True:
            return value
        return check(value)

    return validate


ProjectKey = Annotated[str, AfterValidator(_unless_checked(check_project_key))]
Branch = Annotated[str, AfterValidator(_unless_checked(check_branch))]
BuildId = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]


def _now() -> datetime:
    return datetime.now(UTC)


class Source(StrEnum):
    """What asked for a build."""

    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET_SERVER = "bitbucket-server"
    BITBUCKET_CLOUD = "bitbucket-cloud"
    GITEA = "gitea"
    GENERIC = "generic"
    API = "api"
    BUS = "bus"


class RefType(StrEnum):
    BRANCH = "branch"
    TAG = "tag"


class Message(BaseModel):
    """What every message carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    routing_key: ClassVar[str]

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    event_id: str = Field(default_factory=new_event_id, min_length=1, max_length=128)
    occurred_at: datetime = Field(default_factory=_now)


class BuildMessage(Message):
    """A message about one build; the build id is what every log line and record is keyed by."""

    build_id: BuildId
    project_key: ProjectKey
    branch: Branch


class BuildRequested(BuildMessage):
    """Someone or something asked for a build of a project's branch (or tag)."""

    routing_key: ClassVar[str] = "build.requested"

    source: Source
    delivery_id: str = Field(min_length=1, max_length=256)
    ref_type: RefType = RefType.BRANCH
    commit: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{7,64}$")
    repo_url: str | None = Field(default=None, max_length=2048)
    actor: str | None = Field(default=None, max_length=256)
    pull_request: int | None = Field(default=None, ge=1)
    requested_at: datetime = Field(default_factory=_now)
    parameters: dict[str, str] = Field(default_factory=dict)

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, parameters: dict[str, str]) -> dict[str, str]:
        for name in parameters:
            check_parameter_name(name)
        return parameters


class BuildQueued(BuildMessage):
    """The build waits: its branch is building, the queue is closed or a limit is reached."""

    routing_key: ClassVar[str] = "build.queued"

    reason: str = Field(min_length=1, max_length=1024)
    position: int | None = Field(default=None, ge=1)


class BuildScheduled(BuildMessage):
    """The scheduler holds the branch's lock and created the build pod."""

    routing_key: ClassVar[str] = "build.scheduled"

    namespace: str
    pod_name: str


class BuildStarted(BuildMessage):
    """The build script started in its pod."""

    routing_key: ClassVar[str] = "build.started"

    pod_name: str
    started_at: datetime = Field(default_factory=_now)


class BuildFinished(BuildMessage):
    """The build reached a final state, with the script's exit code where there was one."""

    routing_key: ClassVar[str] = "build.finished"

    state: BuildState
    reason: str | None = Field(default=None, max_length=4096)
    exit_code: int | None = None
    finished_at: datetime = Field(default_factory=_now)

    @field_validator("state")
    @classmethod
    def _final(cls, state: BuildState) -> BuildState:
        if not state.is_final:
            raise ValueError(f"state {state.value!r} is not final")
        return state


class BuildCancelRequested(Message):
    """Someone asked to stop a build, waiting or running."""

    routing_key: ClassVar[str] = "build.cancel"

    build_id: BuildId
    actor: str | None = Field(default=None, max_length=256)
    reason: str = Field(default="cancelled by request", max_length=1024)


class ScriptsUpdated(Message):
    """The build-scripts repository changed: readers fetch it now instead of at their next poll."""

    routing_key: ClassVar[str] = "scripts.updated"

    commit: str | None = None
    source: Literal["webhook", "api", "poll"] = "webhook"


MESSAGE_TYPES: dict[str, type[Message]] = {
    model.routing_key: model
    for model in (
        BuildRequested,
        BuildQueued,
        BuildScheduled,
        BuildStarted,
        BuildFinished,
        BuildCancelRequested,
        ScriptsUpdated,
    )
}
"""Every message by routing key: the one table consumers parse with."""


class UnknownMessageType(ValueError):
    """A body arrived under a routing key no model is registered for."""


def parse_message(routing_key: str, body: bytes | str) -> Message:
    """The model for ``routing_key`` validated from a JSON body (raises ``ValueError`` if bad)."""
    model = MESSAGE_TYPES.get(routing_key)
    if model is None:
        raise UnknownMessageType(f"no message type for routing key {routing_key!r}")
    return model.model_validate_json(body)
