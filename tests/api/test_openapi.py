"""The OpenAPI document describes every API route the app serves, and schemathesis finds no
server error and no answer that breaks it (on the embedded back ends, a few examples each)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from aftomato.api.openapi import openapi_document
from aftomato.api.routes import ROUTES
from tests.api.embedded import Embedded, embedded_api
from tests.api.rig import OPERATOR, bearer

EXAMPLES = 12
ENDLESS = {"/api/v1/events"}
"""A stream that never ends by itself: its events are tested in test_handlers_events.py."""
UNDOCUMENTED = {"/api/v1/openapi.json"}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    with embedded_api(tmp_path_factory.mktemp("api")) as api:
        yield api


def test_every_api_route_served_is_described_and_no_other(embedded: Embedded) -> None:
    with urllib.request.urlopen(f"{embedded.url}/api/v1/openapi.json") as response:
        document = json.load(response)
    assert document == json.loads(json.dumps(openapi_document(ROUTES, version="0.1.0")))
    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (route.method, resource.canonical)
        for resource in embedded.app.router.resources()
        for route in resource
        if resource.canonical.startswith("/api/") and resource.canonical not in UNDOCUMENTED
        if route.method != "HEAD"
    }
    assert served == described


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(
    embedded: Embedded,
) -> None:
    schema = schemathesis.openapi.from_url(f"{embedded.url}/api/v1/openapi.json")
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr] # an invalid schema raises here
        if operation.path in ENDLESS:
            continue

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), signed_in=st.booleans())
        def check(case: schemathesis.Case[Any], signed_in: bool) -> None:
            headers = bearer(OPERATOR) if signed_in else {}
            case.call_and_validate(
                base_url=embedded.url, headers=headers, checks=checks, timeout=10
            )

        check()
        tried += 1
    assert tried == len(ROUTES) - len(ENDLESS)
