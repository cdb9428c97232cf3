"""``aftomato.yaml``, a project's optional config beside its ``build.sh`` (DESIGN section 5).

Every model is frozen and forbids unknown fields, so a typo is an error that names the field:
``aftomato.yaml: concurrency: Input should be 'queue', 'supersede' or 'cancel-previous'``.
A field left out takes the default shown here; ``image``, ``timeout`` and ``resources`` left out
take the scheduler's defaults (``AFTOMATO_BUILD_IMAGE``, ``AFTOMATO_BUILD_TIMEOUT_SECONDS``, ...).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from aftomato.common.scripts.fields import (
    MAX_TIMEOUT_SECONDS,
    DnsLabel,
    DnsSubdomain,
    Duration,
    EnvName,
    EnvValue,
    LabelKey,
    LabelValue,
    Quantity,
    quantity_value,
)

CONFIG_FILE = "aftomato.yaml"
RESERVED_CONTAINER_NAMES = frozenset({"build", "scripts"})
"""The build pod's own containers; a sidecar may not take their names."""


class ProjectConfigError(ValueError):
    """``aftomato.yaml`` cannot be used; the message names the file and the field."""


class Concurrency(StrEnum):
    """What a request does when its project + branch is already building (DESIGN section 6)."""

    QUEUE = "queue"
    SUPERSEDE = "supersede"
    CANCEL_PREVIOUS = "cancel-previous"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quantities(_Strict):
    cpu: Quantity | None = None
    memory: Quantity | None = None
    ephemeral_storage: Quantity | None = Field(default=None, alias="ephemeral-storage")

    def as_manifest(self) -> dict[str, str]:
        """The quantities that are set, under their Kubernetes names."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Resources(_Strict):
    """Requests and limits of the build container; what is left out takes the defaults."""

    requests: Quantities = Quantities()
    limits: Quantities = Quantities()

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Resources:
        limits = self.limits.as_manifest()
        for name, request in self.requests.as_manifest().items():
            if name in limits and quantity_value(request) > quantity_value(limits[name]):
                raise PydanticCustomError(
                    "request_above_limit",
                    f"requests.{name} ({request}) is above limits.{name} ({limits[name]})",
                )
        return self


class Toleration(_Strict):
    """A Kubernetes toleration, spelled as in a pod spec."""

    key: LabelKey | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = Field(default=None, alias="tolerationSeconds")

    @model_validator(mode="after")
    def _consistent(self) -> Toleration:
        if self.operator == "Exists" and self.value:
            raise PydanticCustomError("toleration", "value must be empty with operator 'Exists'")
        if not self.key and self.operator != "Exists":
            raise PydanticCustomError("toleration", "operator must be 'Exists' without a key")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise PydanticCustomError("toleration", "tolerationSeconds needs effect 'NoExecute'")
        return self

    def as_manifest(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class Sidecar(BaseModel):
    """A Kubernetes container spec; only ``name`` and ``image`` are checked here, the API server
    checks the rest. It runs as a native sidecar, so ``restartPolicy`` is ``Always``."""

    model_config = ConfigDict(frozen=True, extra="allow")

    name: DnsLabel
    image: str = Field(min_length=1)
    restart_policy: Literal["Always"] = Field(default="Always", alias="restartPolicy")

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name in RESERVED_CONTAINER_NAMES:
            raise PydanticCustomError("reserved", f"{name!r} is the name of Aftomato's container")
        return name

    def as_manifest(self) -> dict[str, Any]:
        """The container spec as given (a deep copy), with ``restartPolicy: Always``."""
        return self.model_dump(by_alias=True, mode="json")


class NoticeKind(StrEnum):
    """When a chat notification is sent: a build that did not succeed (failed, errored or timed
    out; a cancelled build is neither), and the first success after one."""

    FAILURE = "failure"
    RECOVERY = "recovery"


class SlackNotifications(_Strict):
    """A Slack-compatible incoming webhook: the URL itself, or the name of an environment
    variable of the watcher that holds it (filled from a Secret, so the URL stays out of git)."""

    webhook: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2048)
    webhook_env: EnvName | None = None
    when: tuple[NoticeKind, ...] = (NoticeKind.FAILURE, NoticeKind.RECOVERY)
    """Named `when`, not `on`: YAML 1.1 reads a bare `on` as `true`."""

    @model_validator(mode="after")
    def _one_webhook(self) -> SlackNotifications:
        if (self.webhook is None) == (self.webhook_env is None):
            raise PydanticCustomError("webhook", "give exactly one of webhook and webhook_env")
        return self


class Notifications(_Strict):
    slack: SlackNotifications | None = None


class ProjectConfig(_Strict):
    """A project's ``aftomato.yaml``; ``ProjectConfig()`` is a project without one."""

    image: str | None = Field(default=None, min_length=1, max_length=1024)
    timeout: Annotated[Duration, Field(ge=1, le=MAX_TIMEOUT_SECONDS)] | None = None
    branches: str = ".*"
    tags: bool = False
    pull_requests: bool = True
    concurrency: Concurrency = Concurrency.QUEUE
    resources: Resources = Resources()
    env: dict[EnvName, EnvValue] = Field(default_factory=dict)
    secrets: tuple[DnsSubdomain, ...] = ()
    node_selector: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    service_account: DnsSubdomain | None = None
    sidecars: tuple[Sidecar, ...] = ()
    notifications: Notifications = Notifications()

    @field_validator("branches")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise PydanticCustomError("regex", f"not a valid regular expression: {error}") from None
        return pattern

    @field_validator("sidecars")
    @classmethod
    def _unique_names(cls, sidecars: tuple[Sidecar, ...]) -> tuple[Sidecar, ...]:
        names = [sidecar.name for sidecar in sidecars]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise PydanticCustomError("duplicate", f"sidecar names must differ: {twice}")
        return sidecars

    def manages_branch(self, branch: str) -> bool:
        return re.fullmatch(self.branches, branch) is not None


def parse_project_config(text: str | bytes, *, filename: str = CONFIG_FILE) -> ProjectConfig:
    """The config in ``text`` (YAML), or :class:`ProjectConfigError` naming the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProjectConfigError(f"{filename}: not valid YAML: {_yaml_problem(error)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProjectConfigError(f"{filename}: must be a mapping of fields, not {_kind(data)}")
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as error:
        raise ProjectConfigError(f"{filename}: {describe(error)}") from None


def describe(error: ValidationError) -> str:
    """Each problem as ``field.path: message``, joined with ``; ``."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        path = _field_path(detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown field"
            if len(detail["loc"]) == 1:
                message += f" (known: {', '.join(ProjectConfig.model_fields)})"
        problems.append(f"{path}: {message}" if path else message)
    return "; ".join(problems)


def _field_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if part == "[key]":
            continue
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"
