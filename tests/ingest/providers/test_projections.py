"""Where a provider decodes only what its parse reads, the parse is what the whole body gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftomato.ingest.bodies import decode_payload
from aftomato.ingest.errors import BadPayload
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.webhooks import Parsed, PayloadError
from tests.ingest.providers import headers, load, payload_bytes
from tests.ingest.providers.hostile import CASES, mutated

PROJECTED = [
    (provider, event, name)
    for provider, event, name in CASES
    if PROVIDERS[provider].projection(headers(**event)) is not None
]


def outcome(provider: str, event: dict[str, str], body: bytes, *, projected: bool) -> Any:
    """The parse of ``body``, decoded through the provider's projection or whole; or the error."""
    parser, delivery_headers = PROVIDERS[provider], headers(**event)
    projection = parser.projection(delivery_headers) if projected else None
    try:
        payload = decode_payload(
            "application/json", body, form_allowed=False, projection=projection
        )
        parsed: Parsed = parser.parse(delivery_headers, payload)
    except (BadPayload, PayloadError) as error:
        return f"{type(error).__name__}: {error}"
    return parsed


def test_pushes_and_pull_requests_are_projected() -> None:
    events = {(provider, *event.values()) for provider, event, _ in PROJECTED}
    assert events == {
        ("github", "push"),
        ("github", "pull_request"),
        ("gitea", "push"),
        ("gitea", "pull_request"),
        ("gitlab", "Push Hook"),
        ("gitlab", "Tag Push Hook"),
    }


@pytest.mark.parametrize(("provider", "event", "name"), PROJECTED)
def test_a_real_body_parses_from_its_projection_as_from_the_whole_body(
    provider: str, event: dict[str, str], name: str
) -> None:
    body = payload_bytes(provider, name)
    projection = PROVIDERS[provider].projection(headers(**event))
    assert projection is not None
    assert set(projection.decode(body)) < set(json.loads(body))  # it fits, and leaves out
    whole = outcome(provider, event, body, projected=False)
    assert isinstance(whole, Parsed)
    assert whole.builds
    assert outcome(provider, event, body, projected=True) == whole


@pytest.mark.parametrize(("provider", "event", "name"), PROJECTED)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_body_parses_from_its_projection_as_from_the_whole_body(
    provider: str, event: dict[str, str], name: str, data: st.DataObject
) -> None:
    body = json.dumps(data.draw(mutated(load(provider, name)))).encode()
    whole = outcome(provider, event, body, projected=False)
    assert outcome(provider, event, body, projected=True) == whole
