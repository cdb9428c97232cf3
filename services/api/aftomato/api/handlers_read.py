"""The read endpoints: version, projects, builds, one build, artifacts, the queue."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from aftomato.api import bodies, streaming
from aftomato.api.context import context_of
from aftomato.api.errors import NotFound
from aftomato.common.blobs.store import ARTIFACT_MANIFEST_NAME, BlobNotFound

VERSION = {"version": "0.1.0", "api": "v1"}


async def version(_: web.Request) -> web.Response:
    return web.json_response(VERSION)


async def projects(request: web.Request) -> web.Response:
    return web.json_response({"projects": await context_of(request).queries.projects()})


async def project(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    found = await context_of(request).queries.project(key)
    if found is None:
        raise NotFound(f"no project {key!r} in the build scripts", code="unknown_project")
    return web.json_response(found)


async def builds(request: web.Request) -> web.Response:
    page = await context_of(request).queries.builds(
        bodies.required(request, "project"),
        branch=request.query.get("branch") or None,
        limit=bodies.limit(request),
        cursor=request.query.get("cursor") or None,
        since=bodies.since(request),
    )
    return web.json_response(page)


async def active(request: web.Request) -> web.Response:
    return web.json_response({"builds": await context_of(request).queries.active()})


async def waiting(request: web.Request) -> web.Response:
    return web.json_response({"builds": await context_of(request).queries.waiting()})


async def build(request: web.Request) -> web.Response:
    build_id = bodies.build_id(request)
    found = await context_of(request).queries.build(build_id)
    if found is None:
        raise NotFound(f"no build {build_id}", code="unknown_build")
    return web.json_response(found)


async def artifacts(request: web.Request) -> web.Response:
    build_id = bodies.build_id(request)
    queries = context_of(request).queries
    if await queries.record(build_id) is None:
        raise NotFound(f"no build {build_id}", code="unknown_build")
    return web.json_response({"artifacts": await queries.artifacts(build_id)})


async def artifact(request: web.Request) -> web.StreamResponse:
    build_id, path = bodies.build_id(request), request.match_info["path"]
    store = context_of(request).artifacts
    try:
        if path == ARTIFACT_MANIFEST_NAME:
            raise BlobNotFound(path)  # reserved: the upload's bookkeeping, not an artifact
        async with store.open(f"{build_id}/{path}") as blob:
            name = quote(path.rsplit("/", 1)[-1], safe="")
            headers = {
                "Content-Type": blob.info.content_type,
                "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
                "Content-Length": str(blob.info.size),
            }
            return await streaming.send_stream(request, headers, blob.chunks)
    except BlobNotFound:
        message = f"build {build_id} has no artifact {path!r}"
        raise NotFound(message, code="unknown_artifact") from None


async def queue(request: web.Request) -> web.Response:
    return web.json_response(await context_of(request).queries.queue())
