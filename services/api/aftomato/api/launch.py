"""A launch request from the API as a ``build.requested`` message: pure, so a retried launch
(same ``Idempotency-Key``, same body) names the same build and never makes a second one."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from aftomato.api.models import LaunchRequest
from aftomato.common.ids import derived_build_id, new_event_id
from aftomato.common.messages import BuildRequested, Source


def delivery_id(body: LaunchRequest, idempotency_key: str | None, *, scope: str = "") -> str:
    """Derived from the key, the body and ``scope`` when a key is given; unique otherwise."""
    if not idempotency_key:
        return f"api:{new_event_id()}"
    canonical = json.dumps([scope, idempotency_key, body.model_dump()], sort_keys=True)
    return "api:" + hashlib.sha256(canonical.encode()).hexdigest()


def build_request(
    body: LaunchRequest,
    *,
    actor: str | None,
    idempotency_key: str | None,
    now: datetime,
    scope: str = "",
) -> BuildRequested:
    delivery = delivery_id(body, idempotency_key, scope=scope)
    return BuildRequested(
        build_id=derived_build_id(Source.API.value, delivery, body.project, body.branch),
        project_key=body.project,
        branch=body.branch,
        source=Source.API,
        delivery_id=delivery,
        commit=body.commit,
        actor=actor,
        requested_at=now,
        parameters=body.parameters,
    )
