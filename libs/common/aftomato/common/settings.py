"""Typed settings groups read from the environment, validated at start-up.

Each field's alias is its environment variable: the names are part of the public interface (the
chart, docker-compose and docs/configuration.md use them). :func:`load` reads one group and turns
any problem into a :class:`SettingsError` that names the variable and never echoes its value.
Secrets are ``SecretStr``: printing a settings object shows ``**********``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError


class SettingsError(Exception):
    """A variable is missing or malformed; the message names it and says what is expected."""


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[tuple[str, ...], BeforeValidator(_split_commas)]


class SettingsGroup(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)
    title: ClassVar[str]


class AmqpSettings(SettingsGroup):
    title: ClassVar[str] = "RabbitMQ"

    url: SecretStr = Field(
        alias="AFTOMATO_AMQP_URL",
        description="RabbitMQ URL, amqp://user:pass@host:5672/vhost",
    )
    prefetch: int = Field(
        default=32,
        ge=1,
        le=10_000,
        alias="AFTOMATO_AMQP_PREFETCH",
        description="Messages a consumer holds unacknowledged at once",
    )
    delivery_limit: int = Field(
        default=5,
        ge=1,
        le=1000,
        alias="AFTOMATO_AMQP_DELIVERY_LIMIT",
        description="Deliveries of one message before it goes to aftomato.dead-letters",
    )
    publish_timeout: float = Field(
        default=5.0,
        gt=0,
        le=300,
        alias="AFTOMATO_PUBLISH_TIMEOUT",
        description="Seconds to wait for the broker to confirm a publish",
    )

    def safe_url(self) -> str:
        """The URL without its password, for log lines."""
        return redact_url(self.url.get_secret_value())


class EtcdSettings(SettingsGroup):
    title: ClassVar[str] = "etcd"

    endpoints: CommaList = Field(
        alias="AFTOMATO_ETCD_ENDPOINTS", min_length=1, description="Comma-separated host:port list"
    )
    prefix: str = Field(
        default="/aftomato/",
        pattern=r"^/.*/$",
        alias="AFTOMATO_ETCD_PREFIX",
        description="Key prefix for locks and queues; starts and ends with '/'",
    )


class AwsSettings(SettingsGroup):
    title: ClassVar[str] = "AWS (S3 and DynamoDB)"

    endpoint_url: str | None = Field(
        default=None,
        alias="AFTOMATO_AWS_ENDPOINT_URL",
        description="S3/DynamoDB endpoint for stand-ins (moto, LocalStack); unset for AWS",
    )
    region: str = Field(default="us-east-1", alias="AWS_DEFAULT_REGION", description="AWS region")
    table: str = Field(
        default="aftomato-build-metadata",
        alias="AFTOMATO_DYNAMODB_TABLE",
        description="DynamoDB table of build records",
    )
    logs_bucket: str = Field(
        default="aftomato-console-logs",
        alias="AFTOMATO_LOGS_BUCKET",
        description="S3 bucket of console logs",
    )
    artifacts_bucket: str = Field(
        default="aftomato-build-artifacts",
        alias="AFTOMATO_ARTIFACTS_BUCKET",
        description="S3 bucket of build artifacts",
    )


class KubeSettings(SettingsGroup):
    title: ClassVar[str] = "Kubernetes"

    namespace: str = Field(
        default="aftomato-builds",
        alias="AFTOMATO_BUILD_NAMESPACE",
        pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        description="Namespace of build pods",
    )
    kubeconfig: str | None = Field(
        default=None, alias="KUBECONFIG", description="kubeconfig path; unset: in-cluster config"
    )


class ScriptsSettings(SettingsGroup):
    title: ClassVar[str] = "Build scripts"

    repo: str = Field(
        alias="AFTOMATO_BUILD_SCRIPTS_REPO",
        min_length=1,
        description="Git URL or local path of the build-scripts repository",
    )
    branch: str = Field(
        default="main", alias="AFTOMATO_BUILD_SCRIPTS_BRANCH", description="Its branch"
    )


class HttpSettings(SettingsGroup):
    title: ClassVar[str] = "HTTP"

    host: str = Field(default="0.0.0.0", alias="AFTOMATO_HTTP_HOST", description="Listen address")  # noqa: S104 - services listen on the pod's interfaces
    port: int = Field(default=8080, ge=0, le=65535, alias="AFTOMATO_HTTP_PORT", description="Port")


class HealthSettings(SettingsGroup):
    title: ClassVar[str] = "Health and metrics"

    port: int = Field(
        default=9090,
        ge=0,
        le=65535,
        alias="AFTOMATO_HEALTH_PORT",
        description="Port of /healthz, /readyz and /metrics for services without an HTTP API",
    )


class LogSettings(SettingsGroup):
    title: ClassVar[str] = "Logging"

    format: Literal["json", "console", "auto"] = Field(
        default="auto",
        alias="AFTOMATO_LOG_FORMAT",
        description="json, console, or auto (console on a terminal, JSON otherwise)",
    )
    level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", alias="AFTOMATO_LOG_LEVEL", description="Lowest level logged"
    )


Group = TypeVar("Group", bound=SettingsGroup)


def load(group: type[Group], environ: Mapping[str, str] | None = None) -> Group:
    """Read ``group`` from ``environ`` (default ``os.environ``), or raise :class:`SettingsError`."""
    env = os.environ if environ is None else environ
    aliases = {field.alias or name: name for name, field in group.model_fields.items()}
    present = {alias: env[alias] for alias in aliases if alias in env and env[alias] != ""}
    try:
        return group.model_validate(present)
    except ValidationError as error:
        raise SettingsError(_describe(group, error)) from None


def _describe(group: type[SettingsGroup], error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        variable = str(detail["loc"][0]) if detail["loc"] else "?"
        field = next((f for f in group.model_fields.values() if f.alias == variable), None)
        hint = f" ({field.description})" if field and field.description else ""
        message = "is required" if detail["type"] == "missing" else detail["msg"]
        problems.append(f"{variable} {message}{hint}")
    return f"{group.title} settings: " + "; ".join(problems)


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
