from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import github
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import REMOVE, changed, headers, load

ZERO = "0" * 40
PUSH_SHA = "fd489864e7642b48eaad6e3f155c10e46810ec72"
PR_SHA = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"
PUSH = BuildRef(
    project_key="binkkatal/sample_app",
    branch="master",
    commit=PUSH_SHA,
    repo_url="https://github.com/binkkatal/sample_app.git",
    actor="binkkatal",
)
PULL = BuildRef(
    project_key="baxterthehacker/public-repo",
    branch="changes",
    commit=PR_SHA,
    repo_url="https://github.com/baxterthehacker/public-repo.git",
    actor="baxterthehacker",
    pull_request=1,
)


def parse(event: str, payload: Any) -> Parsed:
    return github.parse(headers(x_github_event=event), payload)


def push(changes: dict[str, object]) -> Any:
    return changed(load("github", "push.json"), changes)


def pull_request(changes: dict[str, object]) -> Any:
    return changed(load("github", "pull-request.json"), changes)


def test_a_push_builds_the_branch_at_its_new_head() -> None:
    assert parse("push", load("github", "push.json")) == Parsed((PUSH,))


@pytest.mark.parametrize(
    ("ref", "branch", "ref_type"),
    [
        ("refs/tags/v1.0.0", "v1.0.0", RefType.TAG),
        ("refs/heads/Feature/ABC-1", "Feature/ABC-1", RefType.BRANCH),
    ],
)
def test_a_pushed_tag_or_nested_branch_is_kept_exactly(
    ref: str, branch: str, ref_type: RefType
) -> None:
    [build] = parse("push", push({"ref": ref})).builds
    assert (build.branch, build.ref_type, build.commit) == (branch, ref_type, PUSH_SHA)


def test_the_sender_is_the_actor_when_the_pusher_has_no_name() -> None:
    [build] = parse("push", push({"pusher": REMOVE, "sender.login": "octocat"})).builds
    assert build.actor == "octocat"


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("push", push({"deleted": True, "after": ZERO}), "branch deletion"),
        ("push", push({"after": ZERO}), "branch deletion"),
        ("push", push({"ref": "refs/tags/v1", "deleted": True, "after": ZERO}), "tag deletion"),
        ("push", push({"ref": "refs/notes/x"}), "ref 'refs/notes/x' is not a branch or tag"),
        ("create", load("github", "create.json"), "covered by the push event"),
        ("delete", load("github", "delete.json"), "tag deletion"),
        (
            "delete",
            changed(load("github", "delete.json"), {"ref_type": "branch"}),
            "branch deletion",
        ),
        ("ping", load("github", "ping.json"), "ping"),
        ("pull_request", pull_request({"action": "closed"}), "pull request closed"),
        (
            "pull_request",
            pull_request({"action": "closed", "pull_request.merged": True}),
            "pull request merged",
        ),
        (
            "pull_request",
            pull_request({"action": "labeled"}),
            "pull request action 'labeled' does not build",
        ),
        ("issues", load("github", "issues.json"), "event 'issues' does not build"),
        (
            "issue_comment",
            load("github", "issue-comment.json"),
            "event 'issue_comment' does not build",
        ),
        (
            "pull_request_review",
            load("github", "pull-request-review.json"),
            "event 'pull_request_review' does not build",
        ),
        ("release", load("github", "release.json"), "event 'release' does not build"),
        ("status", load("github", "status.json"), "event 'status' does not build"),
    ],
)
def test_events_that_build_nothing_say_why(event: str, payload: Any, reason: str) -> None:
    assert parse(event, payload) == Parsed.nothing(reason)


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened"])
def test_an_opened_or_updated_pull_request_builds_its_head(action: str) -> None:
    assert parse("pull_request", pull_request({"action": action})) == Parsed((PULL,))


def test_a_pull_request_from_a_fork_is_cloned_from_the_fork() -> None:
    fork = "https://github.com/someone/public-repo.git"
    payload = pull_request({"pull_request.head.repo.clone_url": fork})
    [build] = parse("pull_request", payload).builds
    assert (build.project_key, build.repo_url) == ("baxterthehacker/public-repo", fork)


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("push", push({"repository.full_name": REMOVE}), "missing field repository.full_name"),
        ("push", push({"repository": None}), "missing field repository.full_name"),
        ("push", push({"repository.full_name": 7}), "field repository.full_name is not a string"),
        ("push", push({"repository": "x"}), "field repository is not an object"),
        ("push", push({"ref": REMOVE}), "missing field ref"),
        ("push", push({"after": REMOVE}), "missing field after"),
        ("push", push({"after": "not-a-sha"}), "field after is not a commit hash"),
        ("push", push({"deleted": "no"}), "field deleted is not a boolean"),
        ("push", push({"ref": "refs/heads/../x"}), r"unsafe branch in field ref: .*'\.\.'"),
        ("push", push({"ref": "refs/heads/-rf"}), "unsafe branch in field ref: .*'-'"),
        ("push", push({"ref": "refs/heads/a\nb"}), "unsafe branch in field ref: .*control"),
        (
            "push",
            push({"repository.full_name": "../etc"}),
            "unsafe project key in field repository.full_name",
        ),
        ("push", [], "body is not a JSON object"),
        ("pull_request", pull_request({"action": REMOVE}), "missing field action"),
        ("pull_request", pull_request({"number": "1"}), "field number is not an integer"),
        ("pull_request", pull_request({"number": True}), "field number is not an integer"),
        ("pull_request", pull_request({"number": 0}), "field number is not a positive"),
        (
            "pull_request",
            pull_request({"pull_request.head.sha": REMOVE}),
            "missing field pull_request.head.sha",
        ),
        (
            "pull_request",
            pull_request({"pull_request.head.ref": "-rf"}),
            "unsafe branch in field pull_request.head.ref",
        ),
        ("delete", changed(load("github", "delete.json"), {"ref_type": 1}), "field ref_type"),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    event: str, payload: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(event, payload)


def test_the_event_header_is_required() -> None:
    with pytest.raises(PayloadError, match="missing header X-GitHub-Event"):
        github.parse(headers(), load("github", "push.json"))
