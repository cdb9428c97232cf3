from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import bitbucket_cloud
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import REMOVE, changed, headers, load

NEW = "709d658dc5b6d6afcd46049c2f332ee3f515a67d"
CLONE = "https://api.bitbucket.org/bitbucket/bitbucket.git"
PUSH = BuildRef(
    project_key="team_name/repo_name",
    branch="name-of-branch",
    commit=NEW,
    repo_url=CLONE,
    actor="emmap1",
)
PULL = BuildRef(
    project_key="team_name/repo_name",
    branch="branch2",
    commit="d3022fc0ca3d",
    repo_url=CLONE,
    actor="emmap1",
    pull_request=1,
)


def parse(event: str, payload: Any) -> Parsed:
    return bitbucket_cloud.parse(headers(x_event_key=event), payload)


def push(changes: dict[str, object]) -> Any:
    return changed(load("bitbucket-cloud", "repo-push.json"), changes)


def ref(kind: str, name: str, commit: str = NEW) -> dict[str, object]:
    return {"type": kind, "name": name, "target": {"type": "commit", "hash": commit}}


def pushed(*entries: tuple[dict[str, object] | None, dict[str, object] | None]) -> Any:
    """A ``repo:push`` whose ``push.changes`` are the given (old, new) pairs."""
    changes = [
        {"old": old, "new": new, "created": old is None, "closed": new is None}
        for old, new in entries
    ]
    return push({"push.changes": changes})


def test_a_push_builds_the_branch_at_its_new_target() -> None:
    assert parse("repo:push", load("bitbucket-cloud", "repo-push.json")) == Parsed((PUSH,))


def test_a_push_of_several_refs_builds_each_but_the_deleted_one() -> None:
    payload = pushed(
        (ref("branch", "main", "1" * 40), ref("branch", "main")),
        (None, ref("tag", "v1.2")),
        (ref("branch", "gone"), None),
        (None, ref("named_branch", "default")),
    )
    assert [(b.branch, b.ref_type) for b in parse("repo:push", payload).builds] == [
        ("main", RefType.BRANCH),
        ("v1.2", RefType.TAG),
        ("default", RefType.BRANCH),
    ]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (pushed((ref("branch", "gone"), None)), "branch deletion"),
        (
            pushed((ref("tag", "v0"), None), (ref("branch", "b"), None)),
            "tag deletion; branch deletion",
        ),
        (pushed((None, ref("annotated", "x"))), "ref type 'annotated' is not a branch or tag"),
        (pushed(), "no ref changed"),
    ],
)
def test_a_push_without_a_buildable_ref_says_why(payload: Any, reason: str) -> None:
    assert parse("repo:push", payload) == Parsed.nothing(reason)


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("pullrequest:created", "pull-request-created.json"),
        ("pullrequest:updated", "pull-request-updated.json"),
    ],
)
def test_a_created_or_updated_pull_request_builds_its_source(event: str, name: str) -> None:
    assert parse(event, load("bitbucket-cloud", name)) == Parsed((PULL,))


def test_the_display_name_is_the_actor_without_a_nickname() -> None:
    [build] = parse("repo:push", push({"actor.nickname": REMOVE})).builds
    assert build.actor == "Emma"


@pytest.mark.parametrize(
    ("event", "name", "reason"),
    [
        ("pullrequest:fulfilled", "pull-request-merged.json", "pull request merged"),
        ("pullrequest:rejected", "pull-request-declined.json", "pull request declined"),
        (
            "pullrequest:comment_created",
            "pull-request-comment-created.json",
            "event 'pullrequest:comment_created' does not build",
        ),
        ("issue:created", "issue-created.json", "event 'issue:created' does not build"),
        ("repo:fork", "repo-fork.json", "event 'repo:fork' does not build"),
    ],
)
def test_events_that_build_nothing_say_why(event: str, name: str, reason: str) -> None:
    assert parse(event, load("bitbucket-cloud", name)) == Parsed.nothing(reason)


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("repo:push", push({"repository.full_name": REMOVE}), "missing field repository.full_name"),
        ("repo:push", push({"push": REMOVE}), "missing field push.changes"),
        (
            "repo:push",
            pushed((None, ref("branch", "../../etc"))),
            "unsafe branch in field push.changes.0.new.name",
        ),
        (
            "repo:push",
            pushed((None, {"type": "branch", "name": "main"})),
            "missing field push.changes.0.new.target.hash",
        ),
        (
            "repo:push",
            push({"repository.full_name": "-x/y"}),
            "unsafe project key in field repository.full_name",
        ),
        (
            "pullrequest:created",
            changed(load("bitbucket-cloud", "pull-request-created.json"), {"pullrequest.id": "1"}),
            "field pullrequest.id is not an integer",
        ),
        (
            "pullrequest:created",
            changed(
                load("bitbucket-cloud", "pull-request-created.json"),
                {"pullrequest.source.branch": REMOVE},
            ),
            "missing field pullrequest.source.branch.name",
        ),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    event: str, payload: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(event, payload)
