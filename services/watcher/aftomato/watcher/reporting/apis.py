"""Which SCM gets statuses: every provider with a token and a base URL, keyed by the build's
source. Builds from other sources (the API, the bus, generic webhooks) get no status."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from aftomato.common.messages import Source
from aftomato.watcher.reporting.bitbucket_cloud import BitbucketCloudStatuses
from aftomato.watcher.reporting.bitbucket_server import BitbucketServerStatuses
from aftomato.watcher.reporting.gitea import GiteaStatuses
from aftomato.watcher.reporting.github import GitHubStatuses
from aftomato.watcher.reporting.gitlab import GitLabStatuses
from aftomato.watcher.reporting.scm import StatusApi
from aftomato.watcher.reporting.settings import ReportingSettings


def status_apis(settings: ReportingSettings) -> dict[Source, StatusApi]:
    configured: list[tuple[Source, str | None, SecretStr | None, Callable[[str, str], StatusApi]]]
    configured = [
        (Source.GITHUB, settings.github_api_url, settings.github_token, GitHubStatuses),
        (Source.GITLAB, settings.gitlab_url, settings.gitlab_token, GitLabStatuses),
        (
            Source.BITBUCKET_SERVER,
            settings.bitbucket_server_url,
            settings.bitbucket_server_token,
            BitbucketServerStatuses,
        ),
        (
            Source.BITBUCKET_CLOUD,
            settings.bitbucket_cloud_api_url,
            settings.bitbucket_cloud_token,
            BitbucketCloudStatuses,
        ),
        (Source.GITEA, settings.gitea_url, settings.gitea_token, GiteaStatuses),
    ]
    return {
        source: make(url, token.get_secret_value())
        for source, url, token, make in configured
        if url and token
    }
