"""The load generator of ``bench.ingest``: signed GitHub pushes, closed loop or at a fixed rate.

Every request carries the same body and signature (computed once) and its own
``X-GitHub-Delivery``, so none is answered from the recent-delivery cache. A round sends exactly
its requests and waits for every answer, so the 202s can be checked against the queue.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._http import Connection, post_request

PUSH = Path(__file__).parents[1] / "tests" / "ingest" / "payloads" / "github" / "push.json"
ROUND_TIMEOUT = 600.0
FAILED = 0
"""The status recorded for a request that got no answer (connection refused, reset, ...)."""


@dataclass
class Round:
    """What one round of requests came back with; latencies in seconds."""

    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    """The generator's CPU seconds (this process) during the round."""
    server_cpu: float = 0.0
    """The CPU seconds of the server under load during the round (set by whoever knows it)."""

    @property
    def server_cpu_us(self) -> float:
        """The server's CPU time per request, in microseconds: what the machine's load cannot
        inflate the way it inflates wall-clock figures."""
        return self.server_cpu / len(self.latencies) * 1e6

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def accepted(self) -> int:
        return self.statuses[202]

    def percentile_ms(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1000


def pooled(rounds: Sequence[Round]) -> Round:
    """Several rounds as one: their requests, answers and time added up."""
    together = Round()
    for part in rounds:
        together.seconds += part.seconds
        together.statuses.update(part.statuses)
        together.latencies += part.latencies
        together.client_cpu += part.client_cpu
        together.server_cpu += part.server_cpu
    return together


class Deliveries:
    """GitHub push deliveries to one server: one body, one signature, a new delivery id each."""

    def __init__(self, secret: str, port: int) -> None:
        body = PUSH.read_bytes()
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "push",
            "X-Hub-Signature-256": f"sha256={digest}",
            "X-GitHub-Delivery": "{delivery}",
        }
        self._head, self._tail = post_request("/hooks/github", headers, body).split(b"{delivery}")
        self._port = port
        self._idle: list[Connection] = []

    async def send(self, into: Round, due: float | None = None) -> None:
        """One delivery; its latency counts from ``due`` (when it should have left) if given."""
        started = time.perf_counter() if due is None else due
        request = self._head + str(uuid.uuid4()).encode() + self._tail
        connection = self._idle.pop() if self._idle else None
        try:
            connection = connection or await Connection.open(self._port)
            status = await connection.send(request)
            self._idle.append(connection)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status = FAILED
            if connection is not None:
                connection.abort()
        into.latencies.append(time.perf_counter() - started)
        into.statuses[status] += 1

    def close(self) -> None:
        while self._idle:
            self._idle.pop().abort()


async def closed_loop(target: Deliveries, requests: int, concurrency: int) -> Round:
    """``concurrency`` workers, each sending its next request as soon as the last is answered."""
    result, left = Round(), iter(range(requests))

    async def worker() -> None:
        for _ in left:
            await target.send(result)

    return await _timed(result, [worker() for _ in range(concurrency)])


async def open_loop(target: Deliveries, rate: float, seconds: float) -> Round:
    """Requests due every ``1/rate`` seconds, each sent when due whatever the answers so far.

    Latency counts from when a request was due, so a generator or server falling behind shows.
    """
    result, start = Round(), time.perf_counter()

    async def due(number: int) -> None:
        at = start + number / rate
        await asyncio.sleep(at - time.perf_counter())
        await target.send(result, due=at)

    return await _timed(result, (due(n) for n in range(int(rate * seconds))))


async def _timed(result: Round, work: Iterable[Coroutine[Any, Any, None]]) -> Round:
    cpu, started = _cpu(), time.perf_counter()
    async with asyncio.timeout(ROUND_TIMEOUT), asyncio.TaskGroup() as group:
        for coroutine in work:
            group.create_task(coroutine)
    result.seconds = time.perf_counter() - started
    result.client_cpu = _cpu() - cpu
    return result


def _cpu() -> float:
    times = os.times()
    return times.user + times.system
