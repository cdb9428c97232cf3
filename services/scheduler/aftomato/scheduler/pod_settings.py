"""The scheduler's settings for build pods, and everything else a pod manifest is built from.

:class:`PodSettings` is the group of the build pods' own variables; :class:`PodContext` adds what
other groups already say (the build-scripts repository and branch, the artifacts bucket and S3
endpoint, the namespace), so that :func:`aftomato.scheduler.manifests.build_pod` takes one value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.scripts.fields import (
    MAX_TIMEOUT_SECONDS,
    DnsSubdomain,
    Quantity,
    quantity_value,
)
from aftomato.common.settings import (
    AwsSettings,
    KubeSettings,
    ScriptsSettings,
    SettingsGroup,
    load,
)

AWS_SECRET = "aftomato-aws-credentials"  # noqa: S105 - the Secret's name, not a secret
GRACE_MARGIN_SECONDS = 5
"""The pod's termination grace beyond the entrypoint's kill grace, for it to exit in order."""


class PodSettings(SettingsGroup):
    title: ClassVar[str] = "Build pods (scheduler)"

    image: str = Field(
        default="aftomato/build-base:latest",
        min_length=1,
        alias="AFTOMATO_BUILD_IMAGE",
        description="Image of builds whose aftomato.yaml names none; also clones the scripts",
    )
    timeout_seconds: int = Field(
        default=3600,
        ge=1,
        le=MAX_TIMEOUT_SECONDS,
        alias="AFTOMATO_BUILD_TIMEOUT_SECONDS",
        description="Longest a build may run when its aftomato.yaml sets no timeout",
    )
    kill_grace_seconds: int = Field(
        default=10,
        ge=0,
        le=3600,
        alias="AFTOMATO_KILL_GRACE_SECONDS",
        description="Seconds a stopped build script gets between SIGTERM and SIGKILL",
    )
    aws_secret: DnsSubdomain = Field(
        default=AWS_SECRET,
        alias="AFTOMATO_BUILD_AWS_SECRET",
        description="Secret with keys aws-key, aws-secret, region for builds (optional)",
    )
    service_account: DnsSubdomain | None = Field(
        default=None,
        alias="AFTOMATO_BUILD_SERVICE_ACCOUNT",
        description="Service account of build pods whose aftomato.yaml names none",
    )
    cpu_request: Quantity = Field(
        default="500m", alias="AFTOMATO_BUILD_CPU_REQUEST", description="Default CPU request"
    )
    cpu_limit: Quantity | None = Field(
        default=None, alias="AFTOMATO_BUILD_CPU_LIMIT", description="Default CPU limit (none)"
    )
    memory_request: Quantity = Field(
        default="512Mi", alias="AFTOMATO_BUILD_MEMORY_REQUEST", description="Default memory request"
    )
    memory_limit: Quantity | None = Field(
        default="2Gi", alias="AFTOMATO_BUILD_MEMORY_LIMIT", description="Default memory limit"
    )

    @field_validator("cpu_limit", "memory_limit")
    @classmethod
    def _above_request(cls, limit: str | None, info: ValidationInfo) -> str | None:
        request = info.data.get(str(info.field_name).replace("_limit", "_request"))
        if limit is not None and request and quantity_value(request) > quantity_value(limit):
            raise PydanticCustomError("limit", f"is below the request {request}")
        return limit

    def timeout_for(self, config: ProjectConfig) -> int:
        """Seconds a build of ``config``'s project may run (the pod's activeDeadlineSeconds)."""
        return config.timeout or self.timeout_seconds

    @property
    def termination_grace_seconds(self) -> int:
        """The pod's grace on deletion: the entrypoint's kill grace and a margin to exit."""
        return self.kill_grace_seconds + GRACE_MARGIN_SECONDS

    def default_resources(self) -> dict[str, dict[str, str]]:
        requests = {"cpu": self.cpu_request, "memory": self.memory_request}
        limits = {"cpu": self.cpu_limit, "memory": self.memory_limit}
        return {
            "requests": requests,
            "limits": {name: value for name, value in limits.items() if value is not None},
        }


@dataclass(frozen=True)
class PodContext:
    """What every build pod takes from the scheduler's configuration."""

    pod: PodSettings
    scripts: ScriptsSettings
    aws: AwsSettings
    namespace: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PodContext:
        """Read the four groups (raises ``SettingsError`` naming a bad variable)."""
        return cls(
            pod=load(PodSettings, environ),
            scripts=load(ScriptsSettings, environ),
            aws=load(AwsSettings, environ),
            namespace=load(KubeSettings, environ).namespace,
        )
