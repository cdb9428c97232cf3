from __future__ import annotations

import json
from typing import Any

import pytest

from aftomato.common.messages import RefType
from aftomato.ingest.providers import generic
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError
from tests.ingest.providers import headers

MINIMAL = {"project_key": "team/service", "branch": "main"}
FULL = {
    "project_key": "team/sub/service",
    "branch": "v2.0",
    "ref_type": "tag",
    "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8",
    "pull_request": 42,
    "repo_url": "https://git.example.com/team/sub/service.git",
    "parameters": {"DEPLOY_TO": "staging", "DRY_RUN": ""},
    "actor": "release-bot",
    "delivery_id": "4f9e1c2a-0000-4000-8000-000000000001",
}


def parse(payload: Any) -> Parsed:
    return generic.parse(headers(), payload)


def test_the_minimal_body_builds_the_branch() -> None:
    assert parse(MINIMAL) == Parsed((BuildRef(project_key="team/service", branch="main"),))


def test_every_documented_field_reaches_the_build() -> None:
    assert parse(FULL) == Parsed(
        (
            BuildRef(
                project_key="team/sub/service",
                branch="v2.0",
                ref_type=RefType.TAG,
                commit="9fceb02d0ae598e95dc970b74767f19372d61af8",
                repo_url="https://git.example.com/team/sub/service.git",
                actor="release-bot",
                pull_request=42,
                parameters={"DEPLOY_TO": "staging", "DRY_RUN": ""},
            ),
        )
    )


def test_null_optional_fields_count_as_absent() -> None:
    body = {**MINIMAL, "commit": None, "pull_request": None, "parameters": None, "ref_type": None}
    assert parse(body) == parse(MINIMAL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"branch": "main"}, "missing field project_key"),
        ({"project_key": "team/service"}, "missing field branch"),
        ({**MINIMAL, "project_key": 5}, "field project_key is not a string"),
        ({**MINIMAL, "project_key": "../etc"}, "unsafe project key in field project_key"),
        ({**MINIMAL, "branch": "../x"}, "unsafe branch in field branch: .*'\\.\\.'"),
        ({**MINIMAL, "branch": "-rf"}, "unsafe branch in field branch: .*'-'"),
        ({**MINIMAL, "branch": ""}, "unsafe branch in field branch: branch is empty"),
        ({**MINIMAL, "ref_type": "commit"}, "field ref_type is neither 'branch' nor 'tag'"),
        ({**MINIMAL, "commit": "HEAD"}, "field commit is not a commit hash"),
        ({**MINIMAL, "pull_request": "42"}, "field pull_request is not an integer"),
        ({**MINIMAL, "pull_request": -1}, "field pull_request is not a positive"),
        ({**MINIMAL, "parameters": ["A=1"]}, "field parameters is not an object"),
        ({**MINIMAL, "parameters": {"A": 1}}, "field parameters.A is not a string"),
        ({**MINIMAL, "actor": ["me"]}, "field actor is not a string"),
        ({**MINIMAL, "delivery_id": 7}, "field delivery_id is not a string"),
        ({**MINIMAL, "delivery_id": "has space"}, "field delivery_id is not 1 to 256"),
        ("team/service main", "body is not a JSON object"),
    ],
)
def test_malformed_bodies_are_refused_naming_the_field(body: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse(body)


def test_the_delivery_id_comes_from_the_header_then_the_body_then_the_digest() -> None:
    body = json.dumps(FULL).encode()
    bare = json.dumps(MINIMAL).encode()
    delivery = generic.PROVIDER.delivery_id
    assert delivery(headers(x_aftomato_delivery="from-header"), body) == "from-header"
    assert delivery(headers(), body) == FULL["delivery_id"]
    assert delivery(headers(), bare).startswith("sha256:")
    assert delivery(headers(), bare) == delivery(headers(), bare)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"delivery_id": 5}', b"[" * 100_000])
def test_a_body_without_a_usable_delivery_id_falls_back_to_the_digest(body: bytes) -> None:
    assert generic.PROVIDER.delivery_id(headers(), body).startswith("sha256:")
