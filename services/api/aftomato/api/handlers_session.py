"""Signing in with a token: the session cookie (HttpOnly) and the CSRF cookie (readable)."""

from __future__ import annotations

import secrets

from aiohttp import web

from aftomato.api import bodies
from aftomato.api.auth import CSRF_COOKIE, SESSION_COOKIE, principal_of
from aftomato.api.context import context_of
from aftomato.api.errors import Unauthorized
from aftomato.api.models import SessionRequest, SessionState

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _token(request: web.Request) -> str:
    if request.content_type in FORM_TYPES:
        form = await request.post()
        return bodies.validated(SessionRequest, {"token": form.get("token")}).token
    return (await bodies.read_json(request, SessionRequest)).token


async def sign_in(request: web.Request) -> web.Response:
    context = context_of(request)
    token = await _token(request)
    if context.tokens.identify(token) is None:
        raise Unauthorized("the token is not one of the api's tokens", code="unknown_token")
    response = web.Response(status=204)
    secure = context.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="Strict", path="/", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(32), samesite="Strict", path="/", secure=secure
    )
    return response


async def sign_out(_: web.Request) -> web.Response:
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


async def session(request: web.Request) -> web.Response:
    principal = principal_of(request)
    state = SessionState(
        signed_in=principal is not None,
        role=principal.role if principal else None,
        name=principal.name if principal else None,
    )
    return web.json_response(state.model_dump(mode="json"))
