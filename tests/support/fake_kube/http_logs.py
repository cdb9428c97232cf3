"""``GET .../pods/{name}/log``: a container's log, whole or followed, as text/plain.

Query parameters: ``container``, ``follow``, ``tailLines``, ``timestamps``, ``limitBytes``
(others, such as ``sinceSeconds`` and ``previous``, are ignored). A followed log streams each
appended chunk and ends when the container terminates or the pod is deleted.
"""

from __future__ import annotations

import contextlib

from aiohttp import web

from tests.support.fake_kube.errors import Obj, bad_request
from tests.support.fake_kube.http_pods import STORE
from tests.support.fake_kube.logs import ContainerLog, LogCursor


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "false").lower() in {"true", "1"}


def _number(request: web.Request, name: str) -> int | None:
    text = request.query.get(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise bad_request(f"{name}: Invalid value: {text!r}: must be an integer") from None


def pick_container(pod: Obj, asked: str | None) -> str:
    """The container a log request means, with the API server's 400s when it is unclear."""
    name = pod["metadata"]["name"]
    spec = pod["spec"]
    main: list[str] = [c["name"] for c in spec["containers"]]
    init = [c["name"] for c in spec.get("initContainers") or []]
    if asked is None and len(main) == 1:
        return main[0]
    if asked is None:
        extra = f" or one of the init containers: [{' '.join(init)}]" if init else ""
        raise bad_request(
            f"a container name must be specified for pod {name}, "
            f"choose one of: [{' '.join(main)}]{extra}"
        )
    if asked not in main + init:
        raise bad_request(f"container {asked} is not valid for pod {name}")
    return asked


def _waiting_reason(pod: Obj, container: str) -> str:
    status = pod.get("status", {})
    for entry in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
        if entry.get("name") == container:
            return str(entry.get("state", {}).get("waiting", {}).get("reason", "ContainerCreating"))
    return "ContainerCreating"


class _Budget:
    """``limitBytes``: how much more may be sent."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def take(self, text: str) -> bytes:
        data = text.encode()
        if self.left is None:
            return data
        data, self.left = data[: self.left], max(0, self.left - len(data))
        return data

    @property
    def spent(self) -> bool:
        return self.left == 0


async def read_log(request: web.Request) -> web.StreamResponse:
    namespace, name = request.match_info["namespace"], request.match_info["name"]
    record = request.app[STORE].record(namespace, name)
    container = pick_container(record.obj, request.query.get("container"))
    log = record.logs.get(container)
    if log is None:
        reason = _waiting_reason(record.obj, container)
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    cursor = LogCursor(log, _number(request, "tailLines"), _flag(request, "timestamps"))
    budget = _Budget(_number(request, "limitBytes"))
    if not _flag(request, "follow"):
        return web.Response(body=budget.take(cursor.first()), content_type="text/plain")
    return await _follow(request, log, cursor, budget)


async def _follow(
    request: web.Request, log: ContainerLog, cursor: LogCursor, budget: _Budget
) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        await response.write(budget.take(cursor.first()))
        while not budget.spent:
            if text := cursor.more():
                await response.write(budget.take(text))
            elif log.finished:
                break
            else:
                await log.changed()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/namespaces/{namespace}/pods/{name}/log", read_log)
