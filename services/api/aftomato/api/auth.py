"""Who is asking: API tokens with roles, a Bearer header or the session cookie, and CSRF.

Tokens come from ``AFTOMATO_API_TOKENS`` (``name:role:token,...``). The :func:`authenticate`
middleware sets ``request["principal"]`` on every request (a :class:`Principal` or None) and
whether it came from the cookie; routes then ask :func:`require` for what they need. A cookie-borne
write must repeat the ``aftomato_csrf`` cookie in ``X-CSRF-Token`` (double submit): a page of
another site can make the browser send the cookie but cannot read it.
"""

from __future__ import annotations

import hmac
import warnings
from dataclasses import dataclass
from enum import IntEnum

from aiohttp import web
from aiohttp.typedefs import Middleware

from aftomato.api.errors import API_PREFIX, Forbidden, Handler, Unauthorized

SESSION_COOKIE = "aftomato_session"
CSRF_COOKIE = "aftomato_csrf"
CSRF_HEADER = "X-CSRF-Token"
TOKENS_VARIABLE = "AFTOMATO_API_TOKENS"


class Role(IntEnum):
    """Each role may do what the ones below it may."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: str

    def may(self, needed: Role) -> bool:
        return Role[self.role.upper()] >= needed


def parse_tokens(text: str) -> dict[str, Principal]:
    """``name:role:token,...`` by token; a bad entry raises ``ValueError`` naming its position
    and the variable, never its token."""
    tokens: dict[str, Principal] = {}
    for number, entry in enumerate((e.strip() for e in text.split(",") if e.strip()), start=1):
        name, role, token = [*entry.split(":", 2), "", ""][:3]
        problem = _entry_problem(name, role, token, tokens)
        if problem:
            raise ValueError(f"{TOKENS_VARIABLE} entry {number}: {problem}")
        tokens[token] = Principal(name, role)
    return tokens


def _entry_problem(name: str, role: str, token: str, known: dict[str, Principal]) -> str | None:
    if not name or not token:
        return "expected name:role:token"
    if role.upper() not in Role.__members__:
        return f"role {role!r} is not one of viewer, operator, admin"
    if len(token) < 16:
        return "the token is shorter than 16 characters"
    if token in known:
        return "the token repeats an earlier entry's"
    return None


class Tokens:
    """Looks a token up, comparing in constant time with every known one."""

    def __init__(self, principals: dict[str, Principal]) -> None:
        self._known = [(token.encode(), principal) for token, principal in principals.items()]

    def identify(self, token: str) -> Principal | None:
        found = None
        given = token.encode()
        for known, principal in self._known:
            if hmac.compare_digest(known, given):
                found = principal
        return found


VIA_COOKIE = web.RequestKey("aftomato.api.via_cookie", bool)


def authenticate(tokens: Tokens) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        principal, via_cookie = None, False
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            principal = tokens.identify(token.strip()) if scheme.lower() == "bearer" else None
            if principal is None and request.path.startswith(API_PREFIX):
                raise Unauthorized("the Authorization header holds no known Bearer token")
        elif cookie := request.cookies.get(SESSION_COOKIE):
            principal = tokens.identify(cookie)
            via_cookie = principal is not None
        _set_principal(request, principal)
        request[VIA_COOKIE] = via_cookie
        return await handler(request)

    return middleware


def _set_principal(request: web.Request, principal: Principal | None) -> None:
    # "principal" is a plain string key on purpose: the web UI and the api agreed on
    # request["principal"]; aiohttp's advice to use a RequestKey does not apply to it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        request["principal"] = principal


def principal_of(request: web.Request) -> Principal | None:
    found: Principal | None = request.get("principal")
    return found


def require(request: web.Request, needed: Role | None, *, write: bool) -> None:
    """Raise 401/403 unless the request's principal has ``needed`` (None: anyone may)."""
    principal = principal_of(request)
    if needed is None:
        return
    if principal is None:
        raise Unauthorized(f"{request.method} {request.path} needs a token", code="unauthorized")
    if not principal.may(needed):
        raise Forbidden(
            f"{request.method} {request.path} needs the role {needed.name.lower()}; "
            f"{principal.name} is {principal.role}"
        )
    if write and request[VIA_COOKIE]:
        check_csrf(request)


def check_csrf(request: web.Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden(
            f"a write signed in by cookie must send the {CSRF_HEADER} header equal to the "
            f"{CSRF_COOKIE} cookie",
            code="csrf_missing",
        )
