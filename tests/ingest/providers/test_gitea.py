from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import gitea
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import REMOVE, changed, headers, load

ZERO = "0" * 40
PUSH = BuildRef(
    project_key="example/example",
    branch="master",
    commit="67b56589a45103f891bdee7c0546e5d40bc02001",
    repo_url="http://localhost:3000/example/example.git",
    actor="example",
)
# A pull request from the fork example2/example into example/example.
PULL = BuildRef(
    project_key="example/example",
    branch="master",
    commit="48e773f892a831faa47c0a160d1b7f0cd369ae2a",
    repo_url="http://localhost:3000/example2/example.git",
    actor="example2",
    pull_request=2,
)


def parse(event: str, payload: Any) -> Parsed:
    return gitea.parse(headers(x_gitea_event=event), payload)


def push(changes: dict[str, object]) -> Any:
    return changed(load("gitea", "push-event.json"), changes)


def pull_request(changes: dict[str, object]) -> Any:
    return changed(load("gitea", "pull-request-event.json"), changes)


def test_a_push_builds_the_branch_at_its_new_head() -> None:
    assert parse("push", load("gitea", "push-event.json")) == Parsed((PUSH,))


def test_a_pushed_tag_builds_with_the_tag_ref_type() -> None:
    [build] = parse("push", push({"ref": "refs/tags/v1.0"})).builds
    assert (build.branch, build.ref_type) == ("v1.0", RefType.TAG)


@pytest.mark.parametrize("action", ["opened", "synchronized", "reopened"])
def test_an_opened_or_updated_pull_request_builds_the_fork_s_head(action: str) -> None:
    assert parse("pull_request", pull_request({"action": action})) == Parsed((PULL,))


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("push", push({"after": ZERO}), "branch deletion"),
        ("create", load("gitea", "create-event.json"), "covered by the push event"),
        ("delete", load("gitea", "delete-event.json"), "branch deletion"),
        (
            "pull_request",
            load("gitea", "pull-request-label-event.json"),
            "pull request action 'label_updated' does not build",
        ),
        ("pull_request", pull_request({"action": "closed"}), "pull request closed"),
        (
            "pull_request",
            pull_request({"action": "closed", "pull_request.merged": True}),
            "pull request merged",
        ),
        ("issues", load("gitea", "issues-event.json"), "event 'issues' does not build"),
        (
            "issue_comment",
            load("gitea", "issue-comment-event.json"),
            "event 'issue_comment' does not build",
        ),
        ("release", load("gitea", "release-event.json"), "event 'release' does not build"),
    ],
)
def test_events_that_build_nothing_say_why(event: str, payload: Any, reason: str) -> None:
    assert parse(event, payload) == Parsed.nothing(reason)


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("push", push({"repository.full_name": REMOVE}), "missing field repository.full_name"),
        ("push", push({"ref": "refs/heads/-rf"}), "unsafe branch in field ref"),
        ("push", push({"after": 123}), "field after is not a string"),
        (
            "pull_request",
            pull_request({"pull_request.head.ref": "a..b"}),
            "unsafe branch in field pull_request.head.ref",
        ),
        ("pull_request", pull_request({"number": None}), "missing field number"),
        ("delete", changed(load("gitea", "delete-event.json"), {"ref_type": REMOVE}), "ref_type"),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    event: str, payload: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(event, payload)


def test_the_event_header_is_required() -> None:
    with pytest.raises(PayloadError, match="missing header X-Gitea-Event"):
        gitea.parse(headers(x_gitea_delivery="d"), load("gitea", "push-event.json"))
