"""The write endpoints: launch, cancel, rebuild, and opening or closing the queue.

Launching publishes ``build.requested`` and answers 202 once the broker holds it; the record
appears when the watcher has applied it. Every write is safe to retry.
"""

from __future__ import annotations

from aiohttp import web

from aftomato.api import bodies
from aftomato.api.auth import principal_of
from aftomato.api.context import ApiContext, context_of
from aftomato.api.errors import Conflict, NotFound
from aftomato.api.launch import build_request
from aftomato.api.models import Cancelling, Launched, LaunchRequest, QueueChange
from aftomato.api.views import API
from aftomato.common.coordination.gate import close_queue, open_queue
from aftomato.common.logging import get_logger
from aftomato.common.messages import BuildCancelRequested
from aftomato.common.records.model import BuildRecord
from aftomato.common.states import BuildState

log = get_logger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _actor(request: web.Request) -> str | None:
    principal = principal_of(request)
    return principal.name if principal else None


async def launch(request: web.Request) -> web.Response:
    body = await bodies.read_json(request, LaunchRequest)
    return await _launch(request, body, scope="")


async def _launch(request: web.Request, body: LaunchRequest, *, scope: str) -> web.Response:
    context = context_of(request)
    if context.scripts.catalog.lookup(body.project) is None:
        raise NotFound(f"no project {body.project!r} in the build scripts", code="unknown_project")
    message = build_request(
        body,
        actor=_actor(request),
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
        now=context.clock(),
        scope=scope,
    )
    existing = await context.queries.record(message.build_id)
    await context.bus.publish(message)
    log.info("build requested", build_id=message.build_id, event_id=message.event_id)
    answer = Launched(
        build_id=message.build_id,
        url=f"{API}/builds/{message.build_id}",
        page=f"/builds/{message.build_id}",
        state=existing.state if existing else BuildState.REQUESTED,
    )
    return web.json_response(answer.model_dump(mode="json"), status=202)


async def _existing(context: ApiContext, request: web.Request) -> BuildRecord:
    build_id = bodies.build_id(request)
    record = await context.queries.record(build_id)
    if record is None:
        raise NotFound(f"no build {build_id}", code="unknown_build")
    return record


async def cancel(request: web.Request) -> web.Response:
    context = context_of(request)
    record = await _existing(context, request)
    if record.state.is_final:
        raise Conflict(
            f"build {record.build_id} is already {record.state.value}", code="already_final"
        )
    message = BuildCancelRequested(build_id=record.build_id, actor=_actor(request))
    await context.bus.publish(message)
    log.info("build cancel requested", build_id=record.build_id, event_id=message.event_id)
    answer = Cancelling(build_id=record.build_id, state=record.state)
    return web.json_response(answer.model_dump(mode="json"), status=202)


async def rebuild(request: web.Request) -> web.Response:
    record = await _existing(context_of(request), request)
    body = LaunchRequest(project=record.project_key, branch=record.branch, commit=record.commit)
    return await _launch(request, body, scope=f"rebuild:{record.build_id}")


async def change_queue(request: web.Request) -> web.Response:
    context = context_of(request)
    change = await bodies.read_json(request, QueueChange)
    if change.open:
        await open_queue(context.coordination, context.keys)
    else:
        await close_queue(
            context.coordination, context.keys, by=_actor(request), reason=change.reason
        )
    log.info("queue changed", open=change.open, by=_actor(request))
    return web.json_response(await context.queries.queue())
