"""Where commit statuses go and how hard to try: one token and base URL per SCM.

Tokens come from a Kubernetes Secret through the environment; a provider without a token gets
no statuses. Base URLs point at GitHub Enterprise, a self-hosted GitLab, Bitbucket Server or
Gitea (and, in tests, at a fake SCM on a loopback port).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, SecretStr

from aftomato.common.settings import SettingsGroup

BaseUrl = Annotated[str, Field(pattern=r"^https?://[^\s]+$")]


class ReportingSettings(SettingsGroup):
    title: ClassVar[str] = "Commit statuses and notifications (watcher)"

    public_url: BaseUrl = Field(
        default="http://localhost:8080",
        alias="AFTOMATO_PUBLIC_URL",
        description="Base URL of the web UI: statuses and notices link to it + /builds/<id>",
    )
    status_context: str = Field(
        default="aftomato",
        min_length=1,
        max_length=100,
        alias="AFTOMATO_STATUS_CONTEXT",
        description="Name of the status on the commit (GitHub/Gitea context, GitLab name, "
        "Bitbucket key)",
    )
    github_api_url: BaseUrl = Field(
        default="https://api.github.com",
        alias="AFTOMATO_GITHUB_API_URL",
        description="GitHub REST API base; https://HOST/api/v3 for GitHub Enterprise Server",
    )
    github_token: SecretStr | None = Field(
        default=None, alias="AFTOMATO_GITHUB_TOKEN", description="GitHub token (statuses: write)"
    )
    gitlab_url: BaseUrl = Field(
        default="https://gitlab.com",
        alias="AFTOMATO_GITLAB_URL",
        description="GitLab base URL (the API is under /api/v4)",
    )
    gitlab_token: SecretStr | None = Field(
        default=None, alias="AFTOMATO_GITLAB_TOKEN", description="GitLab token with api scope"
    )
    bitbucket_server_url: BaseUrl | None = Field(
        default=None,
        alias="AFTOMATO_BITBUCKET_SERVER_URL",
        description="Bitbucket Server / Data Center base URL",
    )
    bitbucket_server_token: SecretStr | None = Field(
        default=None,
        alias="AFTOMATO_BITBUCKET_SERVER_TOKEN",
        description="Bitbucket Server HTTP access token (repository write)",
    )
    bitbucket_cloud_api_url: BaseUrl = Field(
        default="https://api.bitbucket.org",
        alias="AFTOMATO_BITBUCKET_CLOUD_API_URL",
        description="Bitbucket Cloud API base (with or without /2.0)",
    )
    bitbucket_cloud_token: SecretStr | None = Field(
        default=None,
        alias="AFTOMATO_BITBUCKET_CLOUD_TOKEN",
        description="Bitbucket Cloud access token (repository, workspace or OAuth), sent as Bearer",
    )
    gitea_url: BaseUrl | None = Field(
        default=None, alias="AFTOMATO_GITEA_URL", description="Gitea base URL (API under /api/v1)"
    )
    gitea_token: SecretStr | None = Field(
        default=None, alias="AFTOMATO_GITEA_TOKEN", description="Gitea access token"
    )
    attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        alias="AFTOMATO_REPORT_ATTEMPTS",
        description="Tries of one status or notification before its message is retried later",
    )
    max_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        alias="AFTOMATO_REPORT_MAX_WAIT_SECONDS",
        description="Longest wait in place for a rate limit or backoff before retrying later",
    )
    timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        alias="AFTOMATO_REPORT_TIMEOUT_SECONDS",
        description="Seconds one request to an SCM or chat webhook may take",
    )
