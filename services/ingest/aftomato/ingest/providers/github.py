"""GitHub webhooks: ``X-GitHub-Event``, signed with ``X-Hub-Signature-256: sha256=<hex>``.

- ``push`` to ``refs/heads/<branch>`` or ``refs/tags/<tag>``: one build of ``after`` (the clone
  URL and the pusher's name with it); a deleted ref builds nothing.
- ``pull_request`` opened, synchronize (new commits) or reopened: one build of the head branch
  and head commit, with the PR number and the head repository's clone URL (a fork's, for a PR
  from a fork); the project is the base repository. Other actions build nothing.
- ``create`` builds nothing: GitHub also sends a ``push`` for every new branch or tag, and that
  push is what builds (one build per new ref, not two).
- ``delete``, ``ping`` and every other event build nothing, with the reason.

Project key: ``repository.full_name`` (``owner/repo``). Delivery id: ``X-GitHub-Delivery``.
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

EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
SIGNATURE_HEADER = "X-Hub-Signature-256"

_PUSH = PushShape(
    project_key="repository.full_name",
    repo_url=("repository.clone_url",),
    actor=("pusher.name", "sender.login"),
)
_PR_BUILDS = frozenset({"opened", "synchronize", "reopened"})


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
    "ping": no_build("ping"),
}

PROVIDER = Provider(
    name=Source.GITHUB.value,
    signature_header=SIGNATURE_HEADER,
    verify=hmac_header(SIGNATURE_HEADER),
    delivery_id=delivery_from(DELIVERY_HEADER),
    parse=parse,
    projection=projections(
        EVENT_HEADER,
        {"push": push_projection(_PUSH), "pull_request": PULL_REQUEST_PROJECTION},
    ),
)
