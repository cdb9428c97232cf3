"""Pure parts: which status a state shows, how each SCM addresses a repository, how long a
rate-limited answer asks to wait."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from aftomato.common.messages import Source
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.bitbucket_cloud import BitbucketCloudStatuses
from aftomato.watcher.reporting.gitlab import GitLabStatuses
from aftomato.watcher.reporting.scm import UnsupportedRepository, owner_and_name
from aftomato.watcher.reporting.sender import RetryPolicy, rate_limit_wait
from aftomato.watcher.reporting.status import ReportTarget, same_kind, status_for

NOW = 1_800_000_000.0


def status(state: BuildState, reason: str | None = None) -> object:
    return status_for(state, reason, build_id="b1", public_url="https://ci.test/", context="ci")


def test_scheduled_is_not_reported_and_links_point_at_the_build_page() -> None:
    assert status(BuildState.SCHEDULED) is None
    running = status_for(
        BuildState.RUNNING, None, build_id="b1", public_url="https://ci.test/", context="ci"
    )
    assert running is not None
    assert running.target_url == "https://ci.test/builds/b1"


def test_long_reasons_are_cut_to_what_github_accepts() -> None:
    failed = status_for(
        BuildState.ERRORED, "x" * 500, build_id="b1", public_url="https://ci.test", context="ci"
    )
    assert failed is not None
    assert len(failed.description) == 140
    assert failed.description.startswith("Build could not run: xxx")


def test_requested_and_queued_are_the_same_kind() -> None:
    assert same_kind(BuildState.REQUESTED, BuildState.QUEUED)
    assert not same_kind(BuildState.QUEUED, BuildState.RUNNING)
    assert not same_kind(None, BuildState.REQUESTED)


def test_gitlab_names_nested_groups_by_their_encoded_path() -> None:
    target = ReportTarget("b1", "group/sub/app", "feature/x", Source.GITLAB, "abc1234")
    running = status_for(
        BuildState.RUNNING, None, build_id="b1", public_url="https://ci.test", context="ci"
    )
    assert running is not None
    request = GitLabStatuses("https://gitlab.test/", "t0k").request(target, "abc1234", running)
    assert request.url == "https://gitlab.test/api/v4/projects/group%2Fsub%2Fapp/statuses/abc1234"
    assert request.json["ref"] == "feature/x"
    assert "t0k" not in repr(request)


@pytest.mark.parametrize("key", ["app", "a/b/c", "/app", "team/"])
def test_owner_and_name_needs_exactly_two_parts(key: str) -> None:
    with pytest.raises(UnsupportedRepository, match="is not owner/name"):
        owner_and_name(key)


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (403, {"Retry-After": formatdate(NOW + 30, usegmt=True)}, 30.0),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 12)}, 12.0),
        (429, {}, 1.0),
        (403, {}, None),
        (503, {"Retry-After": "5"}, None),
    ],
)
def test_rate_limit_waits(status: int, headers: dict[str, str], wait: float | None) -> None:
    assert rate_limit_wait(status, headers, NOW) == wait


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize("base", ["https://api.bitbucket.test", "https://api.bitbucket.test/2.0/"])
def test_bitbucket_cloud_takes_its_base_with_or_without_the_version(base: str) -> None:
    target = ReportTarget("b1", "team/app", "main", Source.BITBUCKET_CLOUD, "abc1234")
    done = status_for(
        BuildState.CANCELLED, None, build_id="b1", public_url="https://ci.test", context="ci"
    )
    assert done is not None
    request = BitbucketCloudStatuses(base, "t").request(target, "abc1234", done)
    assert request.url == (
        "https://api.bitbucket.test/2.0/repositories/team/app/commit/abc1234/statuses/build"
    )
    assert request.json["state"] == "STOPPED"
