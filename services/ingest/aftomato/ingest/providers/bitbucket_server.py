"""Bitbucket Server / Data Center (formerly Stash): ``X-Event-Key``, ``X-Hub-Signature: sha256=``.

- ``repo:refs_changed``: one build per added or updated branch or tag in ``changes``, at its
  ``toHash``; a change of type ``DELETE`` builds nothing. When no change builds, the reasons say
  why.
- ``pr:opened`` and ``pr:from_ref_updated`` (new commits on the source branch): one build of the
  source branch (``fromRef.displayId``) at ``fromRef.latestCommit``, with the PR ``id``; the
  project is the target repository (``toRef.repository``), the clone URL the source's.
- ``pr:modified`` (title, description or target edited: no new commits), ``pr:merged``,
  ``pr:declined``, ``pr:deleted``, ``diagnostics:ping`` (the "Test connection" button) and every
  other event build nothing, with the reason.

Project key: ``repository.project.key`` + ``/`` + ``repository.slug`` (``PROJ/repo``; a personal
repository is ``~user/repo``). Clone URL: the ``http`` clone link. Delivery id: ``X-Request-Id``.
"""

from __future__ import annotations

from typing import Any

from aftomato.common.messages import Source
from aftomato.ingest.providers._delivery import delivery_from
from aftomato.ingest.providers._events import Handler, dispatch, event_type, no_build
from aftomato.ingest.providers._fields import field, first_field, optional_field
from aftomato.ingest.providers._refs import (
    Pushed,
    branch_at,
    checked_branch,
    checked_project_key,
    collect,
    commit_at,
    deletion_reason,
    is_zero_sha,
    not_branch_or_tag,
    number_at,
    split_ref,
)
from aftomato.ingest.signatures import hmac_header
from aftomato.ingest.webhooks import BuildRef, Headers, Parsed, PayloadError, Provider

EVENT_HEADER = "X-Event-Key"
DELIVERY_HEADER = "X-Request-Id"
SIGNATURE_HEADER = "X-Hub-Signature"

_ACTOR = ("actor.name", "actor.slug")


def parse(headers: Headers, payload: Any) -> Parsed:
    return dispatch(_EVENTS, event_type(headers, EVENT_HEADER), payload)


def _refs_changed(payload: Any) -> Parsed:
    project_key = _project_key(payload, "repository")
    changes = field(payload, "changes", list)
    return collect(
        (_change(payload, f"changes.{index}") for index in range(len(changes))),
        project_key=project_key,
        repo_url=_clone_url(payload, "repository"),
        actor=first_field(payload, _ACTOR, str),
    )


def _change(payload: Any, at: str) -> Pushed | str:
    """One changed ref, or why it builds nothing."""
    ref = first_field(payload, (f"{at}.refId", f"{at}.ref.id"), str)
    if ref is None:
        raise PayloadError(f"missing field {at}.refId")
    split = split_ref(ref)
    if split is None:
        return not_branch_or_tag(ref)
    name, ref_type = split
    change_type = optional_field(payload, f"{at}.type", str)
    if change_type == "DELETE" or is_zero_sha(optional_field(payload, f"{at}.toHash", str)):
        return deletion_reason(ref_type)
    return Pushed(checked_branch(name, f"{at}.refId"), ref_type, commit_at(payload, f"{at}.toHash"))


def _pull_request(payload: Any) -> Parsed:
    build = BuildRef(
        project_key=_project_key(payload, "pullRequest.toRef.repository"),
        branch=branch_at(payload, "pullRequest.fromRef.displayId"),
        commit=commit_at(payload, "pullRequest.fromRef.latestCommit"),
        repo_url=_clone_url(payload, "pullRequest.fromRef.repository"),
        actor=first_field(payload, _ACTOR, str),
        pull_request=number_at(payload, "pullRequest.id"),
    )
    return Parsed((build,))


def _project_key(payload: Any, repository: str) -> str:
    project, slug = f"{repository}.project.key", f"{repository}.slug"
    key = f"{field(payload, project, str)}/{field(payload, slug, str)}"
    return checked_project_key(key, f"{project} + {slug}")


def _clone_url(payload: Any, repository: str) -> str | None:
    """The ``http`` clone link of ``repository``, else its first clone link."""
    links = optional_field(payload, f"{repository}.links.clone", list) or []
    urls: dict[str, str] = {}
    for index in range(len(links)):
        at = f"{repository}.links.clone.{index}"
        href = optional_field(payload, f"{at}.href", str)
        if href is not None:
            urls.setdefault(optional_field(payload, f"{at}.name", str) or "", href)
    return urls.get("http", next(iter(urls.values()), None))


_EVENTS: dict[str, Handler] = {
    "repo:refs_changed": _refs_changed,
    "pr:opened": _pull_request,
    "pr:from_ref_updated": _pull_request,
    "pr:modified": no_build("pull request edited without new commits"),
    "pr:merged": no_build("pull request merged"),
    "pr:declined": no_build("pull request declined"),
    "pr:deleted": no_build("pull request deleted"),
    "diagnostics:ping": no_build("ping"),
}

PROVIDER = Provider(
    name=Source.BITBUCKET_SERVER.value,
    signature_header=SIGNATURE_HEADER,
    verify=hmac_header(SIGNATURE_HEADER),
    delivery_id=delivery_from(DELIVERY_HEADER),
    parse=parse,
)
