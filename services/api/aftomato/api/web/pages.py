"""The page handlers: each reads through the WebReader and renders one template."""

from __future__ import annotations

import re

from aiohttp import web

from aftomato.api.web.chart import duration_chart
from aftomato.api.web.reader import WebReader
from aftomato.api.web.templating import Renderer
from aftomato.api.web.views import recent_builds, with_query
from aftomato.common.records.cursor import InvalidCursor

BUILD_ID = re.compile(r"^[0-9a-f]{32}$")
HISTORY_PAGE = 25
MAX_PARAMETER = 1024


class Pages:
    def __init__(self, reader: WebReader, renderer: Renderer) -> None:
        self._reader = reader
        self._render = renderer

    async def dashboard(self, request: web.Request) -> web.Response:
        return self._render.page(
            request,
            "dashboard.html",
            active=await self._reader.active(),
            waiting=await self._reader.waiting(),
            recent=recent_builds(await self._reader.projects()),
            queue=await self._reader.queue(),
        )

    async def projects(self, request: web.Request) -> web.Response:
        return self._render.page(request, "projects.html", projects=await self._reader.projects())

    async def project(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        project = await self._reader.project(key)
        if project is None:
            return self.not_found(request, f"There is no project {key!r}.")
        branch = _bounded(request.query.get("branch"))
        cursor = _bounded(request.query.get("cursor"))
        try:
            history = await self._reader.builds(
                key, branch=branch, limit=HISTORY_PAGE, cursor=cursor
            )
        except InvalidCursor:
            return self._render.page(
                request,
                "problem.html",
                status=400,
                title="Bad request",
                message="That page of the history is not one we gave out: start from the newest.",
                back=(request.path, "Back to the newest builds"),
            )
        older = history.get("cursor")
        return self._render.page(
            request,
            "project.html",
            project=project,
            builds=history["builds"],
            branch=branch,
            chart=duration_chart(history["builds"]),
            older_path=with_query(request.path, branch=branch, cursor=older) if older else None,
            newest_path=with_query(request.path, branch=branch) if cursor else None,
        )

    async def build(self, request: web.Request) -> web.Response:
        build_id = request.match_info["build_id"]
        build = await self._reader.build(build_id) if BUILD_ID.match(build_id) else None
        if build is None:
            return self.not_found(request, f"There is no build {build_id!r}.")
        return self._render.page(
            request, "build.html", build=build, artifacts=await self._reader.artifacts(build_id)
        )

    async def queue(self, request: web.Request) -> web.Response:
        return self._render.page(request, "queue.html", queue=await self._reader.queue())

    async def sign_in(self, request: web.Request) -> web.Response:
        return self._render.page(
            request, "sign_in.html", next_path=local_path(request.query.get("next"))
        )

    def not_found(self, request: web.Request, message: str) -> web.Response:
        return self._render.page(
            request,
            "problem.html",
            status=404,
            title="Not found",
            message=message,
            back=("/", "Back to the dashboard"),
        )


def local_path(candidate: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another origin."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return "/"
    if "\\" in candidate or any(ord(char) < 32 for char in candidate):
        return "/"
    return candidate


def _bounded(value: str | None) -> str | None:
    """A query value the page passes on, or 400 naming it when it is absurdly long."""
    if value is not None and len(value) > MAX_PARAMETER:
        raise web.HTTPBadRequest(text=f"query parameter longer than {MAX_PARAMETER} characters")
    return value or None
