"""add_web_routes: the UI's pages and static files on the api's aiohttp application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from aftomato.api.web.pages import Pages
from aftomato.api.web.reader import WebReader
from aftomato.api.web.templating import Renderer, make_environment

STATIC = Path(__file__).parent / "static"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_web_routes(app: web.Application, reader: WebReader, *, read_requires_token: bool) -> None:
    """Serve the pages of docs/api.md ("Web UI routes") and ``/static/``.

    The api's auth middleware has set ``request["principal"]`` (or None) before a page runs;
    when reading needs a token, pages send people without one to ``/sign-in``.
    """
    pages = Pages(reader, Renderer(make_environment(), read_requires_token=read_requires_token))

    def gated(handler: Handler) -> Handler:
        if not read_requires_token:
            return handler

        async def signed_in_only(request: web.Request) -> web.StreamResponse:
            if request.get("principal") is None:
                raise web.HTTPSeeOther("/sign-in?next=" + quote(request.path_qs, safe="/"))
            return await handler(request)

        return signed_in_only

    app.router.add_get("/", gated(pages.dashboard), name="ui-dashboard")
    app.router.add_get("/projects", gated(pages.projects), name="ui-projects")
    app.router.add_get("/projects/{key:.+}", gated(pages.project), name="ui-project")
    app.router.add_get("/builds/{build_id}", gated(pages.build), name="ui-build")
    app.router.add_get("/queue", gated(pages.queue), name="ui-queue")
    app.router.add_get("/sign-in", pages.sign_in, name="ui_sign_in")
    app.router.add_static("/static/", STATIC, name="ui-static", append_version=False)
