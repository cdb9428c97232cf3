"""From a parsed delivery to the ``build.requested`` messages it stands for (pure).

Ids are derived from the delivery, never drawn at random: the same delivery, however often it
arrives, yields the same event id and the same build ids, so nothing downstream builds twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError

from aftomato.common.ids import derived_build_id, uuid5_hex
from aftomato.common.messages import NAMES_CHECKED, BuildRequested, RefType, Source
from aftomato.ingest.errors import BadPayload
from aftomato.ingest.webhooks import BuildRef

_EVENTS = uuid.UUID("0c6f4a8e-3b59-5d52-8f0e-5a3c1d9b7e21")
_EVENTS_BYTES = _EVENTS.bytes
_PARSED = {NAMES_CHECKED: True}
"""Every ref comes from a provider's parse, which checked its project key and branch with the
same functions (``providers._refs``); the rest of the message is validated here as anywhere."""


def delivery_event_id(source: Source, delivery_id: str) -> str:
    return uuid5_hex(_EVENTS_BYTES, f"{source.value}\x1f{delivery_id}")


def build_requests(
    source: Source,
    delivery_id: str,
    refs: Sequence[BuildRef],
    *,
    received_at: datetime,
    event_id: str | None = None,
) -> list[BuildRequested]:
    """One message per ref of a provider's parse; :class:`BadPayload` naming the field when a
    value is not acceptable. ``event_id``: the delivery's, when the caller has it already."""
    event_id = event_id or delivery_event_id(source, delivery_id)
    messages = []
    for ref in refs:
        try:
            messages.append(_build_request(source, delivery_id, ref, received_at, event_id))
        except ValidationError as error:
            raise BadPayload(describe(error)) from None
    return messages


def _build_request(
    source: Source, delivery_id: str, ref: BuildRef, received_at: datetime, event_id: str
) -> BuildRequested:
    tag = ref.ref_type is RefType.TAG
    build_id = derived_build_id(source.value, delivery_id, ref.project_key, ref.branch, tag=tag)
    fields = {
        "event_id": uuid5_hex(_EVENTS_BYTES, f"{event_id}\x1f{build_id}"),
        "occurred_at": received_at,
        "requested_at": received_at,
        "build_id": build_id,
        "project_key": ref.project_key,
        "branch": ref.branch,
        "source": source,
        "delivery_id": delivery_id,
        "ref_type": ref.ref_type,
        "commit": ref.commit,
        "repo_url": ref.repo_url,
        "actor": ref.actor,
        "pull_request": ref.pull_request,
        "parameters": dict(ref.parameters or {}),
    }
    return BuildRequested.model_validate(fields, context=_PARSED)


def describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in detail["loc"])
        problems.append(f"{field}: {detail['msg']}")
    return "invalid build request: " + "; ".join(problems)
