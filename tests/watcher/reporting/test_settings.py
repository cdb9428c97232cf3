"""Which SCMs get statuses, from the environment; a bad URL names its variable."""

from __future__ import annotations

import pytest

from aftomato.common.messages import Source
from aftomato.common.settings import SettingsError, load
from aftomato.watcher.reporting.apis import status_apis
from aftomato.watcher.reporting.settings import ReportingSettings


def test_only_providers_with_a_token_and_a_url_get_statuses() -> None:
    settings = load(
        ReportingSettings,
        {
            "AFTOMATO_GITHUB_TOKEN": "gh",
            "AFTOMATO_GITEA_TOKEN": "tea",  # no AFTOMATO_GITEA_URL: no public default
            "AFTOMATO_BITBUCKET_SERVER_URL": "https://bitbucket.example.test",
            "AFTOMATO_BITBUCKET_SERVER_TOKEN": "bb",
        },
    )
    assert sorted(status_apis(settings)) == [Source.BITBUCKET_SERVER, Source.GITHUB]
    assert "gh" not in repr(settings)


def test_nothing_configured_reports_nothing() -> None:
    assert status_apis(load(ReportingSettings, {})) == {}


def test_a_url_without_its_scheme_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="AFTOMATO_GITEA_URL") as raised:
        load(ReportingSettings, {"AFTOMATO_GITEA_URL": "gitea.example.test"})
    assert "gitea.example.test" not in str(raised.value)
