"""Tokens and roles, the session cookie and CSRF double submit."""

from __future__ import annotations

import aiohttp
import pytest

from aftomato.api.auth import Principal, Role, parse_tokens
from tests.api.rig import ADMIN, OPERATOR, VIEWER, ApiRig, RigFactory, api_settings, bearer

LAUNCH = {"project": "team/app", "branch": "main"}


def test_tokens_parse_into_principals_by_token() -> None:
    tokens = parse_tokens(" ci:operator:abcdefghijklmnop:q , ro:viewer:0123456789abcdef")
    assert tokens == {
        "abcdefghijklmnop:q": Principal("ci", "operator"),
        "0123456789abcdef": Principal("ro", "viewer"),
    }
    assert parse_tokens("") == {}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("ci:root:abcdefghijklmnop", "role 'root'"),
        ("ci:viewer", "name:role:token"),
        ("ci:viewer:short", "shorter than 16"),
        ("a:viewer:abcdefghijklmnop,b:admin:abcdefghijklmnop", "entry 2"),
    ],
)
def test_bad_token_entries_are_named_without_their_secret(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named) as raised:
        parse_tokens(text)
    assert "abcdefghijklmnop" not in str(raised.value)
    assert "AFTOMATO_API_TOKENS" in str(raised.value)


def test_roles_include_the_ones_below() -> None:
    admin, viewer = Principal("a", "admin"), Principal("v", "viewer")
    assert admin.may(Role.OPERATOR)
    assert admin.may(Role.VIEWER)
    assert viewer.may(Role.VIEWER)
    assert not viewer.may(Role.OPERATOR)


@pytest.mark.integration
async def test_writes_need_an_operator_token(rig: ApiRig) -> None:
    url = rig.url("/api/v1/builds")
    expected = [(None, 401), (VIEWER, 403), (OPERATOR, 202), (ADMIN, 202), ("wrong" * 4, 401)]
    for token, status in expected:
        headers = bearer(token) if token else {}
        async with rig.http.post(url, json=LAUNCH, headers=headers) as response:
            body = await response.json()
            assert response.status == status, (token, body)
            if status == 401:
                assert response.headers["WWW-Authenticate"] == "Bearer"
            if status >= 400:
                assert set(body["error"]) == {"code", "message"}
    async with rig.http.get(rig.url("/api/v1/projects")) as response:
        assert response.status == 200  # reading is public by default


@pytest.mark.integration
async def test_reading_may_require_a_token(make_rig: RigFactory) -> None:
    async with make_rig(api_settings(read_requires_token=True)) as rig:
        async with rig.http.get(rig.url("/api/v1/builds/active")) as response:
            assert response.status == 401
        async with rig.http.get(
            rig.url("/api/v1/builds/active"), headers=bearer(VIEWER)
        ) as response:
            assert response.status == 200
        for public in ("/api/v1/version", "/api/v1/session", "/api/v1/openapi.json", "/healthz"):
            async with rig.http.get(rig.url(public)) as response:
                assert response.status == 200, public


@pytest.mark.integration
async def test_a_session_cookie_signs_in_and_cookie_writes_need_the_csrf_header(
    rig: ApiRig,
) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.post(rig.url("/api/v1/session"), json={"token": "nope" * 5}) as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "unknown_token"
        async with browser.post(rig.url("/api/v1/session"), data={"token": OPERATOR}) as response:
            assert response.status == 204
            session_cookie = response.cookies["aftomato_session"]
            assert session_cookie["httponly"]
            assert session_cookie["samesite"] == "Strict"
            assert not response.cookies["aftomato_csrf"]["httponly"]
            csrf = response.cookies["aftomato_csrf"].value
        async with browser.get(rig.url("/api/v1/session")) as response:
            assert await response.json() == {"signed_in": True, "role": "operator", "name": "otto"}
        async with browser.post(rig.url("/api/v1/builds"), json=LAUNCH) as response:
            assert response.status == 403
            assert (await response.json())["error"]["code"] == "csrf_missing"
        wrong = {"X-CSRF-Token": "not-it"}
        async with browser.post(rig.url("/api/v1/builds"), json=LAUNCH, headers=wrong) as response:
            assert response.status == 403
        right = {"X-CSRF-Token": csrf}
        async with browser.post(rig.url("/api/v1/builds"), json=LAUNCH, headers=right) as response:
            assert response.status == 202
        async with browser.delete(rig.url("/api/v1/session")) as response:
            assert response.status == 204
        async with browser.get(rig.url("/api/v1/session")) as response:
            assert await response.json() == {"signed_in": False, "role": None, "name": None}
