"""The aiohttp application of the fake API server, and serving it on a random loopback port.

Middleware turns every error into a Kubernetes ``Status`` body, applies planned faults and keeps
a log of the requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from tests.support.fake_kube import http_logs, http_pods
from tests.support.fake_kube.errors import KubeError, status_body
from tests.support.fake_kube.faults import Faults, RequestRecord
from tests.support.fake_kube.store import PodStore
from tests.support.fake_kube.trees import json_answer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FAULTS = web.AppKey("faults", Faults)
REQUESTS = web.AppKey("requests", list[RequestRecord])


@web.middleware
async def status_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as a ``v1 Status``, so clients raise ``ApiException(status=code)``."""
    try:
        return await handler(request)
    except KubeError as error:
        return json_answer(error.status, status=error.code)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = "the server could not find the requested resource"
        if error.status != 404:
            message = f"{error.reason}: {request.method} {request.path}"
        return json_answer(status_body(error.status, message), status=error.status)
    except Exception as error:  # a bug in the fake: say so in the answer, not only in a log
        body = status_body(500, f"the fake API server failed: {error!r}")
        return json_answer(body, status=500)


@web.middleware
async def faults_and_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    record = RequestRecord(request.method, request.path, request.query_string)
    request.app[REQUESTS].append(record)
    fault = request.app[FAULTS].take(request.method, request.path)
    if fault is not None:
        response: web.StreamResponse = json_answer(
            status_body(fault.status, fault.message), status=fault.status
        )
    else:
        response = await handler(request)
    record.status = response.status
    return response


def build_app(store: PodStore, faults: Faults, requests: list[RequestRecord]) -> web.Application:
    app = web.Application(middlewares=[faults_and_log, status_errors])
    app[http_pods.STORE] = store
    app[FAULTS] = faults
    app[REQUESTS] = requests
    http_pods.add_routes(app)
    http_logs.add_routes(app)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on 127.0.0.1 on a free port; returns the runner and the base URL."""
    # handler_cancellation: a client that hangs up ends its watch or log stream at once.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
