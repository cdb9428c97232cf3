"""The ``pull_request`` event that GitHub and Gitea both send (Gitea copies GitHub's shape).

They differ in the action names (GitHub ``synchronize``, Gitea ``synchronized``), so each passes
the actions that build. The project is the base repository (``repository.full_name``); the build
is of the head branch and commit, cloned from the head repository (a fork's, for a PR from one).
"""

from __future__ import annotations

from collections.abc import Set

from aftomato.ingest.projection import projection
from aftomato.ingest.providers._fields import field, first_field, optional_field
from aftomato.ingest.providers._refs import branch_at, commit_at, number_at, project_key_at
from aftomato.ingest.webhooks import BuildRef, Parsed

_ACTION = "action"
_MERGED = "pull_request.merged"
_PROJECT_KEY = "repository.full_name"
_BRANCH = "pull_request.head.ref"
_COMMIT = "pull_request.head.sha"
_NUMBER = "number"
_REPO_URL = ("pull_request.head.repo.clone_url", "repository.clone_url")
_ACTOR = ("sender.login", "sender.username")
PULL_REQUEST_PROJECTION = projection(
    [_ACTION, _MERGED, _PROJECT_KEY, _BRANCH, _COMMIT, _NUMBER, *_REPO_URL, *_ACTOR]
)
"""Decodes a pull-request body into only what :func:`parse_pull_request` reads (the paths above,
each named once)."""


def parse_pull_request(payload: object, builds_on: Set[str]) -> Parsed:
    """One build of the head for an action in ``builds_on``; nothing for the others."""
    action = field(payload, _ACTION, str)
    if action == "closed":
        merged = optional_field(payload, _MERGED, bool)
        return Parsed.nothing("pull request merged" if merged else "pull request closed")
    if action not in builds_on:
        return Parsed.nothing(f"pull request action {action!r} does not build")
    build = BuildRef(
        project_key=project_key_at(payload, _PROJECT_KEY),
        branch=branch_at(payload, _BRANCH),
        commit=commit_at(payload, _COMMIT),
        repo_url=first_field(payload, _REPO_URL, str),
        actor=first_field(payload, _ACTOR, str),
        pull_request=number_at(payload, _NUMBER),
    )
    return Parsed((build,))
