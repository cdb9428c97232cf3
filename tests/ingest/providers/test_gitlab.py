from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import gitlab
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import REMOVE, changed, headers, load

ZERO = "0" * 40
PUSH = BuildRef(
    project_key="mike/diaspora",
    branch="master",
    commit="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    repo_url="http://example.com/mike/diaspora.git",
    actor="John Smith",
)
TAG = BuildRef(
    project_key="jsmith/example",
    branch="v1.0.0",
    ref_type=RefType.TAG,
    commit="82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
    repo_url="http://example.com/jsmith/example.git",
    actor="John Smith",
)
MERGE_REQUEST = BuildRef(
    project_key="gitlabhq/gitlab-test",
    branch="ms-viewport",
    commit="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    repo_url="http://example.com/awesome_space/awesome_project.git",
    actor="root",
    pull_request=1,
)


def parse(event: str, payload: Any) -> Parsed:
    return gitlab.parse(headers(x_gitlab_event=event), payload)


def merge_request(changes: dict[str, object]) -> Any:
    return changed(load("gitlab", "merge-request-event.json"), changes)


def push(changes: dict[str, object]) -> Any:
    return changed(load("gitlab", "push-event.json"), changes)


@pytest.mark.parametrize(
    ("event", "name", "expected"),
    [
        ("Push Hook", "push-event.json", PUSH),
        ("Tag Push Hook", "tag-event.json", TAG),
        ("Merge Request Hook", "merge-request-event.json", MERGE_REQUEST),
        ("System Hook", "system-push-event.json", PUSH),
        # An annotated tag: ``after`` is the tag object, ``checkout_sha`` the commit it tags.
        (
            "System Hook",
            "system-tag-event.json",
            TAG._replace(commit="5937ac0a7beb003549fc5fd26fc247adbce4a52e"),
        ),
        # An older system hook without ``action``: the MR is open, so it builds.
        (
            "System Hook",
            "system-merge-request-event.json",
            MERGE_REQUEST._replace(
                project_key="jsmith/example",
                commit="ba3e0d8ff79c80d5b0bbb4f3e2e343e0aaa662b7",
            ),
        ),
    ],
)
def test_pushes_tags_and_merge_requests_build(event: str, name: str, expected: BuildRef) -> None:
    assert parse(event, load("gitlab", name)) == Parsed((expected,))


def test_a_project_key_may_hold_several_slashes_and_the_user_name_wins() -> None:
    payload = push(
        {"project.path_with_namespace": "group/sub/group/app", "user_username": "jsmith"}
    )
    [build] = parse("Push Hook", payload).builds
    assert (build.project_key, build.actor) == ("group/sub/group/app", "jsmith")


@pytest.mark.parametrize(
    "changes",
    [
        {"object_attributes.action": "reopen"},
        {"object_attributes.action": "update", "object_attributes.oldrev": "1" * 40},
    ],
)
def test_a_reopened_or_pushed_to_merge_request_builds(changes: dict[str, object]) -> None:
    assert parse("Merge Request Hook", merge_request(changes)) == Parsed((MERGE_REQUEST,))


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("Push Hook", push({"after": ZERO, "checkout_sha": None}), "branch deletion"),
        (
            "Tag Push Hook",
            changed(load("gitlab", "tag-event.json"), {"after": ZERO, "checkout_sha": None}),
            "tag deletion",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.action": "update"}),
            "merge request updated without new commits",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.action": "close"}),
            "merge request closed",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.action": "merge"}),
            "merge request merged",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.action": "approved"}),
            "merge request action 'approved' does not build",
        ),
        (
            "System Hook",
            changed(
                load("gitlab", "system-merge-request-event.json"),
                {"object_attributes.state": "merged"},
            ),
            "merge request merged",
        ),
        (
            "System Hook",
            load("gitlab", "system-project-created.json"),
            "system event 'project_create' does not build",
        ),
        (
            "Note Hook",
            load("gitlab", "comment-merge-request-event.json"),
            "event 'Note Hook' does not build",
        ),
        ("Issue Hook", load("gitlab", "issue-event.json"), "event 'Issue Hook' does not build"),
        (
            "Pipeline Hook",
            load("gitlab", "pipeline-event.json"),
            "event 'Pipeline Hook' does not build",
        ),
    ],
)
def test_events_that_build_nothing_say_why(event: str, payload: Any, reason: str) -> None:
    assert parse(event, payload) == Parsed.nothing(reason)


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        (
            "Push Hook",
            push({"project": REMOVE}),
            "missing field project.path_with_namespace",
        ),
        ("Push Hook", push({"checkout_sha": "main"}), "field checkout_sha is not a commit hash"),
        ("Push Hook", push({"ref": "refs/heads/a..b"}), "unsafe branch in field ref"),
        (
            "Push Hook",
            push({"project.path_with_namespace": "group//app"}),
            "unsafe project key in field project.path_with_namespace",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.last_commit": REMOVE}),
            "missing field object_attributes.last_commit.id",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.iid": "1"}),
            "field object_attributes.iid is not an integer",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.source_branch": "-x"}),
            "unsafe branch in field object_attributes.source_branch",
        ),
        (
            "Merge Request Hook",
            merge_request({"object_attributes.action": REMOVE, "object_attributes.state": REMOVE}),
            "missing field object_attributes.state",
        ),
        ("System Hook", {"object_kind": None}, "missing field event_name"),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    event: str, payload: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(event, payload)


def test_the_event_header_is_required() -> None:
    with pytest.raises(PayloadError, match="missing header X-Gitlab-Event"):
        gitlab.parse(headers(), load("gitlab", "push-event.json"))


def test_the_idempotency_key_is_preferred_to_the_event_uuid() -> None:
    both = headers(idempotency_key="retry-stable", x_gitlab_event_uuid="per-event")
    assert gitlab.PROVIDER.delivery_id(both, b"{}") == "retry-stable"
    assert gitlab.PROVIDER.delivery_id(headers(x_gitlab_event_uuid="e"), b"{}") == "e"
