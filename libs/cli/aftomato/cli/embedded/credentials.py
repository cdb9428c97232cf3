"""The webhook secret and the API token of ``aftomato up``: configured ones, or new ones.

A first run must not need any configuration, yet webhooks stay signed and changes need a token:
without ``AFTOMATO_WEBHOOK_SECRET`` a secret is made at start (only the signed ``curl`` it prints
uses it); without ``AFTOMATO_API_TOKENS`` an admin token is made at start and written, readable
by the user only, to the data folder, where the user commands find it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from aftomato.api.settings import ApiSettings
from aftomato.ingest.settings import WebhookSettings

TOKEN_FILE = "api-token"  # noqa: S105 - the file's name, not a token
LOCAL_USER = "local"


@dataclass(frozen=True)
class Credentials:
    webhooks: WebhookSettings
    api: ApiSettings
    token: str | None
    """The token made at start (None when tokens are configured)."""

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for the log's redaction."""
        tokens = self.api.tokens.get_secret_value().split(",")
        return [*self.webhooks.all_secret_values(), *(t.split(":", 2)[-1] for t in tokens if t)]


def credentials(webhooks: WebhookSettings, api: ApiSettings, data_dir: Path) -> Credentials:
    if not webhooks.all_secret_values():
        made = (SecretStr(secrets.token_urlsafe(24)),)
        webhooks = webhooks.model_copy(update={"secrets": made})
    token = None
    if not api.tokens.get_secret_value():
        token = secrets.token_urlsafe(24)
        api = api.model_copy(update={"tokens": SecretStr(f"{LOCAL_USER}:admin:{token}")})
        write_token(data_dir, token)
    return Credentials(webhooks, api, token)


def write_token(data_dir: Path, token: str) -> None:
    path = data_dir / TOKEN_FILE
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token + "\n")
