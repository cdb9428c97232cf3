from __future__ import annotations

from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import bitbucket_server
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import REMOVE, changed, headers, load

ZERO = "0" * 40
NEW = "9d2c1f0e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d"
CLONE = "https://server.bitbucket.local/scm/~gopher/webhook-test.git"
PULL = BuildRef(
    project_key="~gopher/webhook-test",
    branch="feature/wip",
    commit="32a0b8a740c2963c6f56bd8baf3dc05683d299e0",
    repo_url=CLONE,
    actor="gopher",
    pull_request=5,
)


def parse(event: str, payload: Any) -> Parsed:
    return bitbucket_server.parse(headers(x_event_key=event), payload)


def change(ref: str, to_hash: str, kind: str) -> dict[str, object]:
    """One entry of ``changes`` as Bitbucket Server sends it."""
    ref_type = "TAG" if ref.startswith("refs/tags/") else "BRANCH"
    display = ref.split("/", 2)[2]
    return {
        "ref": {"id": ref, "displayId": display, "type": ref_type},
        "refId": ref,
        "fromHash": ZERO if kind == "ADD" else "32a0b8a740c2963c6f56bd8baf3dc05683d299e0",
        "toHash": to_hash,
        "type": kind,
    }


def refs_changed(*changes: dict[str, object]) -> Any:
    return changed(load("bitbucket-server", "repo-refs-changed.json"), {"changes": list(changes)})


def pull_request(changes: dict[str, object]) -> Any:
    return changed(load("bitbucket-server", "pr-opened.json"), changes)


def test_a_push_that_changes_several_refs_builds_each_of_them() -> None:
    payload = refs_changed(
        change("refs/heads/main", NEW, "UPDATE"),
        change("refs/heads/feature/new", NEW, "ADD"),
        change("refs/heads/old", ZERO, "DELETE"),
        change("refs/tags/v2.0", NEW, "ADD"),
    )
    main = BuildRef(
        project_key="~gopher/webhook-test",
        branch="main",
        commit=NEW,
        repo_url=CLONE,
        actor="gopher",
    )
    assert parse("repo:refs_changed", payload) == Parsed(
        (
            main,
            main._replace(branch="feature/new"),
            main._replace(branch="v2.0", ref_type=RefType.TAG),
        )
    )


def test_the_recorded_push_deletes_a_branch_and_builds_nothing() -> None:
    payload = load("bitbucket-server", "repo-refs-changed.json")
    assert parse("repo:refs_changed", payload) == Parsed.nothing("branch deletion")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            refs_changed(
                change("refs/heads/a", ZERO, "DELETE"), change("refs/tags/t", ZERO, "DELETE")
            ),
            "branch deletion; tag deletion",
        ),
        (
            refs_changed(change("refs/notes/x", NEW, "UPDATE")),
            "ref 'refs/notes/x' is not a branch or tag",
        ),
        (refs_changed(), "no ref changed"),
    ],
)
def test_a_push_without_a_buildable_ref_says_why(payload: Any, reason: str) -> None:
    assert parse("repo:refs_changed", payload) == Parsed.nothing(reason)


@pytest.mark.parametrize("event", ["pr:opened", "pr:from_ref_updated"])
def test_an_opened_or_updated_pull_request_builds_its_source(event: str) -> None:
    assert parse(event, load("bitbucket-server", "pr-opened.json")) == Parsed((PULL,))


def test_the_first_clone_link_serves_when_there_is_no_http_one() -> None:
    ssh = "ssh://git@server.bitbucket.local:7999/~gopher/webhook-test.git"
    payload = pull_request({"pullRequest.fromRef.repository.links.clone.1": REMOVE})
    [build] = parse("pr:opened", payload).builds
    assert build.repo_url == ssh


@pytest.mark.parametrize(
    ("event", "name", "reason"),
    [
        ("pr:modified", "pr-modified.json", "pull request edited without new commits"),
        ("pr:merged", "pr-merged.json", "pull request merged"),
        ("pr:declined", "pr-declined.json", "pull request declined"),
        ("pr:deleted", "pr-deleted.json", "pull request deleted"),
        ("pr:comment:added", "pr-comment-added.json", "event 'pr:comment:added' does not build"),
        ("repo:forked", "repo-forked.json", "event 'repo:forked' does not build"),
    ],
)
def test_events_that_build_nothing_say_why(event: str, name: str, reason: str) -> None:
    assert parse(event, load("bitbucket-server", name)) == Parsed.nothing(reason)


def test_the_test_connection_ping_builds_nothing() -> None:
    assert parse("diagnostics:ping", {"test": True}) == Parsed.nothing("ping")


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        (
            "repo:refs_changed",
            changed(refs_changed(), {"repository.project": REMOVE}),
            "missing field repository.project.key",
        ),
        (
            "repo:refs_changed",
            changed(refs_changed(), {"repository.slug": ".."}),
            r"unsafe project key in field repository.project.key \+ repository.slug",
        ),
        (
            "repo:refs_changed",
            changed(refs_changed(), {"changes": {}}),
            "field changes is not a list",
        ),
        (
            "repo:refs_changed",
            refs_changed(change("refs/heads/../x", NEW, "UPDATE")),
            "unsafe branch in field changes.0.refId",
        ),
        (
            "repo:refs_changed",
            refs_changed(change("refs/heads/main", NEW, "UPDATE"), {"toHash": NEW}),
            "missing field changes.1.refId",
        ),
        (
            "repo:refs_changed",
            refs_changed(change("refs/heads/main", "HEAD", "UPDATE")),
            "field changes.0.toHash is not a commit hash",
        ),
        (
            "pr:opened",
            pull_request({"pullRequest.fromRef.displayId": "-rf"}),
            "unsafe branch in field pullRequest.fromRef.displayId",
        ),
        (
            "pr:opened",
            pull_request({"pullRequest.id": REMOVE}),
            "missing field pullRequest.id",
        ),
        (
            "pr:opened",
            pull_request({"pullRequest.toRef.repository": []}),
            "field pullRequest.toRef.repository is not an object",
        ),
    ],
)
def test_malformed_payloads_are_refused_naming_the_field(
    event: str, payload: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(event, payload)
