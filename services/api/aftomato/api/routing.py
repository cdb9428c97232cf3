"""The route table's shape: each route says who may call it and what it takes and answers.

The table (:mod:`.routes`) is both what the app serves and what :mod:`.openapi` describes, so
the document cannot name a route the app lacks or miss one it has.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from aftomato.api.auth import Role, require
from aftomato.api.context import context_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Access(Enum):
    PUBLIC = "anyone"
    READ = "anyone, or a viewer token when reading requires one"
    OPERATE = "an operator or admin token"


@dataclass(frozen=True)
class Param:
    name: str
    where: str
    """``query`` or ``header``."""
    schema: dict[str, Any]
    description: str
    required: bool = False


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    """The documented path; ``{name}`` segments, ``{name:.+}`` where slashes may appear."""
    handler: Handler
    summary: str
    access: Access = Access.READ
    answer: type[BaseModel] | None = None
    status: int = 200
    media: str = "application/json"
    body: type[BaseModel] | None = None
    params: Sequence[Param] = ()
    errors: Sequence[int] = field(default_factory=tuple)

    @property
    def documented_path(self) -> str:
        return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", self.path)


def _needed(route: Route, read_requires_token: bool) -> Role | None:
    if route.access is Access.OPERATE:
        return Role.OPERATOR
    if route.access is Access.READ and read_requires_token:
        return Role.VIEWER
    return None


def guarded(route: Route) -> Handler:
    writes = route.method not in ("GET", "HEAD")

    async def handler(request: web.Request) -> web.StreamResponse:
        needed = _needed(route, context_of(request).settings.read_requires_token)
        require(request, needed, write=writes and route.access is Access.OPERATE)
        return await route.handler(request)

    return handler


def add_routes(app: web.Application, routes: Sequence[Route]) -> None:
    for route in routes:
        app.router.add_route(route.method, route.path, guarded(route))
