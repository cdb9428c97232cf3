"""Every parser, fed mutated real payloads and any JSON: a Parsed or a PayloadError, nothing else.

A parser that raises anything else (KeyError, TypeError, AttributeError...) would turn a sender's
odd body into a 500; one that returns an unsafe project key or branch would let it reach a pod.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftomato.common.names import check_branch, check_project_key
from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.webhooks import Parsed, PayloadError
from tests.ingest.providers import headers, load
from tests.ingest.providers.hostile import CASES, JSON_VALUES, mutated


def parse_safely(provider: str, event: dict[str, str], payload: Any) -> None:
    try:
        parsed = PROVIDERS[provider].parse(headers(**event), payload)
    except PayloadError as error:
        problem = str(error)
        assert problem, "a PayloadError names the problem"
        return
    assert isinstance(parsed, Parsed)
    for build in parsed.builds:
        check_project_key(build.project_key)
        check_branch(build.branch)


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("provider", "event", "name"), CASES)
@FUZZ
@given(data=st.data())
def test_a_mutated_real_payload_parses_or_names_its_problem(
    provider: str, event: dict[str, str], name: str, data: st.DataObject
) -> None:
    payload = data.draw(mutated(load(provider, name)))
    parse_safely(provider, event, payload)


@pytest.mark.parametrize(("provider", "event", "name"), CASES)
@FUZZ
@given(payload=JSON_VALUES)
def test_arbitrary_json_parses_or_names_its_problem(
    provider: str, event: dict[str, str], name: str, payload: Any
) -> None:
    parse_safely(provider, event, payload)
