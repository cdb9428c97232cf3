"""Bitbucket Cloud (bitbucket.org): ``X-Event-Key``, signed with ``X-Hub-Signature: sha256=<hex>``.

- ``repo:push``: one build per entry of ``push.changes`` whose ``new`` is a branch or tag, of
  ``new.name`` at ``new.target.hash``; an entry with ``new: null`` is a deletion and builds
  nothing. When no entry builds, the reasons say why.
- ``pullrequest:created`` and ``pullrequest:updated``: one build of the source branch at the
  source commit, with the PR ``id``; the project is the destination repository. Bitbucket Cloud
  has no reopen (a declined PR stays declined) and sends ``updated`` for edits as well as for new
  commits, so an edit builds too.
- ``pullrequest:fulfilled`` (merged), ``pullrequest:rejected`` (declined), comments, issues and
  every other event build nothing, with the reason.

Project key: ``repository.full_name`` (``workspace/slug``). Bitbucket Cloud sends no clone URL:
the repo URL is ``links.html.href`` + ``.git``, which is how bitbucket.org clones over HTTPS.
Actor: the ``nickname`` (Bitbucket Cloud no longer sends user names). Delivery id:
``X-Request-UUID``.
"""

from __future__ import annotations

from typing import Any

from aftomato.common.messages import RefType, Source
from aftomato.ingest.providers._delivery import delivery_from
from aftomato.ingest.providers._events import Handler, dispatch, event_type, no_build
from aftomato.ingest.providers._fields import field, first_field, optional_field
from aftomato.ingest.providers._refs import (
    Pushed,
    branch_at,
    collect,
    commit_at,
    deletion_reason,
    number_at,
    project_key_at,
)
from aftomato.ingest.signatures import hmac_header
from aftomato.ingest.webhooks import BuildRef, Headers, Parsed, Provider

EVENT_HEADER = "X-Event-Key"
DELIVERY_HEADER = "X-Request-UUID"
SIGNATURE_HEADER = "X-Hub-Signature"

_ACTOR = ("actor.nickname", "actor.display_name", "actor.username")
_REF_TYPES = {
    "branch": RefType.BRANCH,
    "named_branch": RefType.BRANCH,
    "bookmark": RefType.BRANCH,
    "tag": RefType.TAG,
}


def parse(headers: Headers, payload: Any) -> Parsed:
    return dispatch(_EVENTS, event_type(headers, EVENT_HEADER), payload)


def _push(payload: Any) -> Parsed:
    project_key = project_key_at(payload, "repository.full_name")
    changes = field(payload, "push.changes", list)
    return collect(
        (_change(payload, f"push.changes.{index}") for index in range(len(changes))),
        project_key=project_key,
        repo_url=_clone_url(payload, "repository"),
        actor=first_field(payload, _ACTOR, str),
    )


def _change(payload: Any, at: str) -> Pushed | str:
    """One pushed ref, or why it builds nothing."""
    if optional_field(payload, f"{at}.new", dict) is None:
        old_type = optional_field(payload, f"{at}.old.type", str)
        return deletion_reason(_REF_TYPES.get(old_type or "", RefType.BRANCH))
    kind = field(payload, f"{at}.new.type", str)
    ref_type = _REF_TYPES.get(kind)
    if ref_type is None:
        return f"ref type {kind!r} is not a branch or tag"
    branch = branch_at(payload, f"{at}.new.name")
    return Pushed(branch, ref_type, commit_at(payload, f"{at}.new.target.hash"))


def _pull_request(payload: Any) -> Parsed:
    build = BuildRef(
        project_key=project_key_at(payload, "repository.full_name"),
        branch=branch_at(payload, "pullrequest.source.branch.name"),
        commit=commit_at(payload, "pullrequest.source.commit.hash"),
        repo_url=_clone_url(payload, "pullrequest.source.repository"),
        actor=first_field(payload, _ACTOR, str),
        pull_request=number_at(payload, "pullrequest.id"),
    )
    return Parsed((build,))


def _clone_url(payload: Any, repository: str) -> str | None:
    href = optional_field(payload, f"{repository}.links.html.href", str)
    return f"{href.rstrip('/')}.git" if href else None


_EVENTS: dict[str, Handler] = {
    "repo:push": _push,
    "pullrequest:created": _pull_request,
    "pullrequest:updated": _pull_request,
    "pullrequest:fulfilled": no_build("pull request merged"),
    "pullrequest:rejected": no_build("pull request declined"),
}

PROVIDER = Provider(
    name=Source.BITBUCKET_CLOUD.value,
    signature_header=SIGNATURE_HEADER,
    verify=hmac_header(SIGNATURE_HEADER),
    delivery_id=delivery_from(DELIVERY_HEADER),
    parse=parse,
)
