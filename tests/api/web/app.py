"""A page server for tests: add_web_routes over a MemoryReader, with who is signed in set the way
the api's auth middleware sets it (here from a test header)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aftomato.api.web import add_web_routes
from tests.api.web.memory_reader import MemoryReader

PRINCIPAL_HEADER = "X-Test-Principal"


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


@web.middleware
async def principal_from_header(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    given = request.headers.get(PRINCIPAL_HEADER)
    name, _, role = given.partition(":") if given else ("", "", "")
    # The contract names the key "principal" (a plain string, as the api's middleware uses).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        request["principal"] = Principal(name, role) if given else None
    return await handler(request)


def signed_in(role: str, name: str = "alice") -> dict[str, str]:
    return {PRINCIPAL_HEADER: f"{name}:{role}"}


@asynccontextmanager
async def page_client(
    reader: MemoryReader, *, read_requires_token: bool = False
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application(middlewares=[principal_from_header])
    add_web_routes(app, reader, read_requires_token=read_requires_token)
    async with TestClient(TestServer(app)) as client:
        yield client
