"""The ingest service's own settings: webhook secrets, the insecure switch, body and cache limits.

Secrets are comma-separated lists so they can be rotated: during a rotation both the old and the
new secret verify. A provider's own variable, when set, replaces the global one for that provider.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, SecretStr

from aftomato.common.settings import SettingsGroup


def _secret_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(SecretStr(part.strip()) for part in value.split(",") if part.strip())
    return value


SecretList = Annotated[tuple[SecretStr, ...], BeforeValidator(_secret_list)]

PROVIDER_SECRET_VARIABLES = {
    "github": "AFTOMATO_GITHUB_WEBHOOK_SECRET",
    "gitlab": "AFTOMATO_GITLAB_WEBHOOK_SECRET",
    "bitbucket-server": "AFTOMATO_BITBUCKET_SERVER_WEBHOOK_SECRET",
    "bitbucket-cloud": "AFTOMATO_BITBUCKET_CLOUD_WEBHOOK_SECRET",
    "gitea": "AFTOMATO_GITEA_WEBHOOK_SECRET",
    "generic": "AFTOMATO_GENERIC_WEBHOOK_SECRET",
}


def _provider_secret(provider: str) -> SecretList:
    return Field(
        default=(),
        alias=PROVIDER_SECRET_VARIABLES[provider],
        description=f"Secrets for {provider} webhooks only (replace the global list there)",
    )


class WebhookSettings(SettingsGroup):
    title: ClassVar[str] = "Webhooks (ingest)"

    secrets: SecretList = Field(
        default=(),
        alias="AFTOMATO_WEBHOOK_SECRET",
        description="Comma-separated webhook secrets accepted from every provider",
    )
    github: SecretList = _provider_secret("github")
    gitlab: SecretList = _provider_secret("gitlab")
    bitbucket_server: SecretList = _provider_secret("bitbucket-server")
    bitbucket_cloud: SecretList = _provider_secret("bitbucket-cloud")
    gitea: SecretList = _provider_secret("gitea")
    generic: SecretList = _provider_secret("generic")
    insecure_allow_unsigned: bool = Field(
        default=False,
        alias="AFTOMATO_INSECURE_ALLOW_UNSIGNED_WEBHOOKS",
        description="Accept webhooks without a valid signature (for trying Aftomato only)",
    )
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        alias="AFTOMATO_WEBHOOK_MAX_BODY_BYTES",
        description="Largest webhook body accepted (413 beyond it)",
    )
    recent_deliveries: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        alias="AFTOMATO_WEBHOOK_RECENT_DELIVERIES",
        description="Deliveries remembered to answer repeats with 'duplicate' (0: none)",
    )

    def secrets_for(self, provider: str) -> tuple[str, ...]:
        """The secrets that verify ``provider``'s deliveries: its own list, else the global one."""
        own: tuple[SecretStr, ...] = getattr(self, provider.replace("-", "_"), ())
        return tuple(secret.get_secret_value() for secret in (own or self.secrets))

    def all_secret_values(self) -> list[str]:
        """Every secret, for masking in the logs."""
        lists = [self.secrets, self.github, self.gitlab, self.bitbucket_server]
        lists += [self.bitbucket_cloud, self.gitea, self.generic]
        return [secret.get_secret_value() for values in lists for secret in values]
