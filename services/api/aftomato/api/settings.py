"""The api's own settings: who may do what, and how live views behave.

Where it listens is :class:`aftomato.common.settings.HttpSettings`; the build scripts it reads are
:class:`~aftomato.common.settings.ScriptsSettings` and the reader's settings beside them.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from aftomato.api.auth import parse_tokens
from aftomato.common.settings import SettingsGroup


class ApiSettings(SettingsGroup):
    title: ClassVar[str] = "API"

    tokens: SecretStr = Field(
        default=SecretStr(""),
        alias="AFTOMATO_API_TOKENS",
        description="Comma-separated name:role:token entries; roles viewer, operator, admin",
    )
    read_requires_token: bool = Field(
        default=False,
        alias="AFTOMATO_API_READ_REQUIRES_TOKEN",
        description="true: reading builds, logs and projects needs a token too",
    )
    keep_alive_seconds: float = Field(
        default=15.0,
        gt=0,
        le=300,
        alias="AFTOMATO_API_KEEP_ALIVE_SECONDS",
        description="Seconds between keep-alive comments on Server-Sent Event streams",
    )
    log_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        alias="AFTOMATO_API_LOG_POLL_SECONDS",
        description="How often a followed log looks again for a pod or a stored log",
    )
    secure_cookies: bool = Field(
        default=False,
        alias="AFTOMATO_API_SECURE_COOKIES",
        description="Mark the session cookies Secure (set it when the api is served over HTTPS)",
    )

    @field_validator("tokens")
    @classmethod
    def _tokens_parse(cls, tokens: SecretStr) -> SecretStr:
        parse_tokens(tokens.get_secret_value())  # a bad entry stops the api at start-up
        return tokens
