"""Gitea (and Forgejo) webhooks: ``X-Gitea-Event``, signed with ``X-Gitea-Signature: <hex>``.

The signature is the bare hex HMAC-SHA256 of the body (no ``sha256=`` prefix). Gitea's bodies
copy GitHub's shapes, and so does the handling:

- ``push`` to a branch or tag: one build of ``after``, with the clone URL and the pusher; a
  deleted ref (``after`` all zeros) builds nothing.
- ``pull_request`` opened, synchronized (new commits) or reopened: one build of the head branch
  and commit with the PR number; the project is the base repository, the clone URL the head's.
  Gitea sends label, assignee, milestone and review changes as ``pull_request`` with their own
  action: those build nothing, as do ``closed`` and merged PRs.
- ``create`` builds nothing: the ``push`` Gitea sends for the new ref is what builds.
- ``delete`` and every other event build nothing, with the reason.

Project key: ``repository.full_name`` (``owner/repo``). Delivery id: ``X-Gitea-Delivery``.
"""

from __future__ import annotations

from typing import Any

from aftomato.common.messages import Source
from aftomato.ingest.providers._delivery import delivery_from
from aftomato.ingest.providers._events import Handler, dispatch, event_type, no_build, projections
from aftomato.ingest.providers._pull_request import PULL_REQUEST_PROJECTION, parse_pull_request
from aftomato.ingest.providers._push import PushShape, parse_delete, parse_push, push_projection
from aftomato.ingest.signatures import hmac_header
from aftomato.ingest.webhooks import Headers, Parsed, Provider

EVENT_HEADER = "X-Gitea-Event"
DELIVERY_HEADER = "X-Gitea-Delivery"
SIGNATURE_HEADER = "X-Gitea-Signature"

_PUSH = PushShape(
    project_key="repository.full_name",
    repo_url=("repository.clone_url",),
    actor=("pusher.login", "pusher.username", "sender.login"),
)
_PR_BUILDS = frozenset({"opened", "synchronized", "reopened"})


def parse(headers: Headers, payload: Any) -> Parsed:
    return dispatch(_EVENTS, event_type(headers, EVENT_HEADER), payload)


def _push(payload: Any) -> Parsed:
    return parse_push(payload, _PUSH)


def _pull_request(payload: Any) -> Parsed:
    return parse_pull_request(payload, _PR_BUILDS)


_EVENTS: dict[str, Handler] = {
    "push": _push,
    "pull_request": _pull_request,
    "create": no_build("covered by the push event"),
    "delete": parse_delete,
}

PROVIDER = Provider(
    name=Source.GITEA.value,
    signature_header=SIGNATURE_HEADER,
    verify=hmac_header(SIGNATURE_HEADER, prefix=""),
    delivery_id=delivery_from(DELIVERY_HEADER),
    parse=parse,
    projection=projections(
        EVENT_HEADER,
        {"push": push_projection(_PUSH), "pull_request": PULL_REQUEST_PROJECTION},
    ),
)
