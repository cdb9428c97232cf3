"""The generic hook: any system that can POST JSON asks for a build of a project's branch or tag.

``POST /hooks/generic`` with ``Content-Type: application/json``, signed with
``X-Aftomato-Signature: sha256=<hex>``, the hex HMAC-SHA256 of the exact body bytes under the
webhook secret. The body is one JSON object (unknown fields are ignored)::

    {
      "project_key": "team/service",   # required: the project (its build-scripts folder)
      "branch": "main",                # required: branch or tag name, kept exactly
      "ref_type": "branch",            # optional: "branch" (default) or "tag"
      "commit": "9fceb02d0ae598e9",    # optional: 7 to 64 hex digits
      "pull_request": 42,              # optional: a positive integer
      "repo_url": "https://git.example.com/team/service.git",  # optional
      "parameters": {"DEPLOY_TO": "staging"},  # optional: extra build environment, str -> str
      "actor": "release-bot",          # optional: who asked, for the record
      "delivery_id": "4f9e1c..."       # optional: this request's id (see below)
    }

Parameter names must be environment variable names (``[A-Za-z_][A-Za-z0-9_]*``) that Aftomato
does not reserve (``BUILD_ID``, ``PROJECT_KEY``, ``BRANCH_TO_BUILD``, ``COMMIT_TO_BUILD``,
``PULL_REQUEST``, ``ARTIFACTS_DIR``, ``AFTOMATO_*``).

Delivery id: the ``X-Aftomato-Delivery`` header, else the body's ``delivery_id``, else a digest of
the body. One delivery id is one build, however often it is sent: a sender that retries keeps
its id, and a sender that wants the same branch built again sends a new one (a fresh UUID per
request). Without any id, posting the identical body again counts as a retry and builds nothing
new.
"""

from __future__ import annotations

import json
from typing import Any

from aftomato.common.messages import RefType, Source
from aftomato.ingest.providers._delivery import MAX_DELIVERY_ID, body_digest, usable_id
from aftomato.ingest.providers._fields import optional_field
from aftomato.ingest.providers._refs import branch_at, checked_commit, number_at, project_key_at
from aftomato.ingest.signatures import hmac_header
from aftomato.ingest.webhooks import BuildRef, Headers, Parsed, PayloadError, Provider

DELIVERY_HEADER = "X-Aftomato-Delivery"
SIGNATURE_HEADER = "X-Aftomato-Signature"


def parse(headers: Headers, payload: Any) -> Parsed:
    _check_delivery_id(payload)
    commit = optional_field(payload, "commit", str)
    has_number = optional_field(payload, "pull_request", int) is not None
    build = BuildRef(
        project_key=project_key_at(payload, "project_key"),
        branch=branch_at(payload, "branch"),
        ref_type=_ref_type(payload),
        commit=None if commit is None else checked_commit(commit, "commit"),
        repo_url=optional_field(payload, "repo_url", str),
        actor=optional_field(payload, "actor", str),
        pull_request=number_at(payload, "pull_request") if has_number else None,
        parameters=_parameters(payload),
    )
    return Parsed((build,))


def delivery_id(headers: Headers, body: bytes) -> str:
    """The header's id, else the body's ``delivery_id``, else the body's digest. Never raises."""
    return (
        usable_id(headers.get(DELIVERY_HEADER))
        or usable_id(_body_delivery_id(body))
        or body_digest(body)
    )


def _ref_type(payload: Any) -> RefType:
    value = optional_field(payload, "ref_type", str)
    if value is None:
        return RefType.BRANCH
    try:
        return RefType(value)
    except ValueError:
        raise PayloadError("field ref_type is neither 'branch' nor 'tag'") from None


def _parameters(payload: Any) -> dict[str, str] | None:
    parameters = optional_field(payload, "parameters", dict)
    if parameters is None:
        return None
    for name, value in parameters.items():
        if not isinstance(value, str):
            raise PayloadError(f"field parameters.{name} is not a string")
    return dict(parameters)


def _check_delivery_id(payload: Any) -> None:
    value = optional_field(payload, "delivery_id", str)
    if value is not None and usable_id(value) is None:
        raise PayloadError(
            f"field delivery_id is not 1 to {MAX_DELIVERY_ID} printable ASCII characters"
        )


def _body_delivery_id(body: bytes) -> str | None:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    value = payload.get("delivery_id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


PROVIDER = Provider(
    name=Source.GENERIC.value,
    signature_header=SIGNATURE_HEADER,
    verify=hmac_header(SIGNATURE_HEADER),
    delivery_id=delivery_id,
    parse=parse,
)
