"""GitLab webhooks: ``X-Gitlab-Event``, authenticated by the shared secret in ``X-Gitlab-Token``.

- ``Push Hook`` / ``Tag Push Hook``: one build of the pushed branch or tag at ``checkout_sha``
  (the commit a tag points at; ``after`` where it is absent), with the project's HTTP clone URL
  and the pusher's user name. A deleted ref (``after`` all zeros) builds nothing.
- ``Merge Request Hook``: actions ``open``, ``reopen`` and ``update`` with new commits (an
  ``oldrev``) build the source branch at ``last_commit.id``, with the MR's ``iid`` as the
  pull-request number and the source project's clone URL. ``update`` without new commits,
  ``close``, ``merge``, approvals and the rest build nothing. A body without ``action`` (older
  GitLab system hooks) builds while the MR's ``state`` is ``opened``.
- ``System Hook``: the body's ``event_name`` (or ``object_kind``) picks the event: ``push``,
  ``tag_push`` and ``merge_request`` are read as above; the rest build nothing.
- Every other hook (notes, issues, pipelines, ...) builds nothing, with the reason.

Project key: ``project.path_with_namespace`` (any number of ``/``). Delivery id:
``Idempotency-Key`` (GitLab 17.4+, the same on every retry of a delivery), else
``X-Gitlab-Event-UUID``, else the body's digest.
"""

from __future__ import annotations

from typing import Any

from aftomato.common.messages import Source
from aftomato.ingest.providers._delivery import delivery_from
from aftomato.ingest.providers._events import Handler, dispatch, event_type, projections
from aftomato.ingest.providers._fields import field, first_field, optional_field
from aftomato.ingest.providers._push import PushShape, parse_push, push_projection
from aftomato.ingest.providers._refs import branch_at, commit_at, number_at, project_key_at
from aftomato.ingest.signatures import token_header
from aftomato.ingest.webhooks import BuildRef, Headers, Parsed, PayloadError, Provider

EVENT_HEADER = "X-Gitlab-Event"
DELIVERY_HEADERS = ("Idempotency-Key", "X-Gitlab-Event-UUID")
SIGNATURE_HEADER = "X-Gitlab-Token"

_PUSH = PushShape(
    project_key="project.path_with_namespace",
    repo_url=("project.git_http_url", "repository.git_http_url"),
    actor=("user_username", "user_name"),
    commit=("checkout_sha", "after"),
)
_MR_BUILDS = frozenset({"open", "reopen"})
_MR_ENDS = {"close": "merge request closed", "merge": "merge request merged"}
_MR_REPO_URL = ("object_attributes.source.git_http_url", "project.git_http_url")


def parse(headers: Headers, payload: Any) -> Parsed:
    return dispatch(_HOOKS, event_type(headers, EVENT_HEADER), payload)


def _push(payload: Any) -> Parsed:
    return parse_push(payload, _PUSH)


def _merge_request(payload: Any) -> Parsed:
    reason = _merge_request_reason(payload)
    if reason is not None:
        return Parsed.nothing(reason)
    build = BuildRef(
        project_key=project_key_at(payload, "project.path_with_namespace"),
        branch=branch_at(payload, "object_attributes.source_branch"),
        commit=commit_at(payload, "object_attributes.last_commit.id"),
        repo_url=first_field(payload, _MR_REPO_URL, str),
        actor=first_field(payload, ("user.username", "user.name"), str),
        pull_request=number_at(payload, "object_attributes.iid"),
    )
    return Parsed((build,))


def _merge_request_reason(payload: Any) -> str | None:
    """Why this merge request event builds nothing; None when it builds."""
    action = optional_field(payload, "object_attributes.action", str)
    if action is None:
        state = field(payload, "object_attributes.state", str)
        return None if state == "opened" else f"merge request {state}"
    if action in _MR_BUILDS:
        return None
    if action == "update":
        if optional_field(payload, "object_attributes.oldrev", str):
            return None
        return "merge request updated without new commits"
    return _MR_ENDS.get(action, f"merge request action {action!r} does not build")


def _system(payload: Any) -> Parsed:
    event = first_field(payload, ("event_name", "object_kind"), str)
    if event is None:
        raise PayloadError("missing field event_name")
    return dispatch(_SYSTEM_EVENTS, event, payload, noun="system event")


_SYSTEM_EVENTS: dict[str, Handler] = {
    "push": _push,
    "tag_push": _push,
    "merge_request": _merge_request,
}
_HOOKS: dict[str, Handler] = {
    "Push Hook": _push,
    "Tag Push Hook": _push,
    "Merge Request Hook": _merge_request,
    "System Hook": _system,
}

PROVIDER = Provider(
    name=Source.GITLAB.value,
    signature_header=SIGNATURE_HEADER,
    verify=token_header(SIGNATURE_HEADER),
    delivery_id=delivery_from(*DELIVERY_HEADERS),
    parse=parse,
    projection=projections(
        EVENT_HEADER, dict.fromkeys(("Push Hook", "Tag Push Hook"), push_projection(_PUSH))
    ),
)
