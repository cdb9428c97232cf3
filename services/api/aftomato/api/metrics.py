"""Prometheus metrics of the api, on the registry its composition root owns: answers by route
and status, and how long the ones that are not streams took."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

from aftomato.api.errors import Handler

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass(frozen=True)
class ApiMetrics:
    answers: Counter
    seconds: Histogram

    @classmethod
    def register(cls, registry: CollectorRegistry) -> ApiMetrics:
        return cls(
            answers=Counter(
                "aftomato_api_answers",
                "Answers by method, route and status (a stream counts when it ends)",
                ["method", "route", "status"],
                registry=registry,
            ),
            seconds=Histogram(
                "aftomato_api_request_seconds",
                "Time from request to answer, streams left out",
                ["method", "route"],
                buckets=BUCKETS,
                registry=registry,
            ),
        )

    def middleware(self) -> Middleware:
        """The outermost middleware: it sees every answer, errors included."""

        @web.middleware
        async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
            began = time.perf_counter()
            try:
                response = await handler(request)
            except web.HTTPException as http_error:  # pages outside /api/ keep aiohttp's own
                self._count(request, http_error.status)
                raise
            self._count(request, response.status)
            if isinstance(response, web.Response):
                route = _route(request)
                self.seconds.labels(request.method, route).observe(time.perf_counter() - began)
            return response

        return measure

    def _count(self, request: web.Request, status: int) -> None:
        self.answers.labels(request.method, _route(request), str(status)).inc()


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"
