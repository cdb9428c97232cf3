"""A tiny service built the way real ones are, run as a process by test_service.py.

``python -m tests.common.sample_service MODE``: ``drain`` works until SIGTERM and then takes a
moment to finish its work in flight; ``fail`` fails after it started; ``stop`` returns on its own.
It needs ``SAMPLE_TOKEN`` set (to show configuration errors) and logs it once (to show masking).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from aftomato.common.http import HttpServer, add_health_routes
from aftomato.common.logging import get_logger
from aftomato.common.runner import Component, readiness
from aftomato.common.service import run_service
from aftomato.common.settings import HealthSettings, SettingsError, load

log = get_logger("sample")


class Worker:
    name = "worker"

    def __init__(self, mode: str, ticks: Counter) -> None:
        self._mode = mode
        self._ticks = ticks

    def ready(self) -> bool:
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        log.info("worker started", mode=self._mode)
        if self._mode == "fail":
            raise RuntimeError("the disk is on fire")
        if self._mode == "stop":
            return
        while not stopping.is_set():
            self._ticks.inc()
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the work in flight
        log.info("worker finished its work in flight")


def main(argv: Sequence[str]) -> int:
    mode = argv[0] if argv else "drain"

    async def start(stack: AsyncExitStack) -> list[Component]:
        token = os.environ.get("SAMPLE_TOKEN")
        if not token:
            raise SettingsError("Sample settings: SAMPLE_TOKEN is required")
        log.info("using the token", token=token)
        registry = CollectorRegistry()
        worker = Worker(mode, Counter("sample_ticks", "Ticks", registry=registry))
        app = web.Application()
        health = HttpServer(app, "127.0.0.1", load(HealthSettings).port, name="health")
        add_health_routes(app, readiness([worker, health]), registry)
        return [worker, health]

    return run_service("sample", start, secrets=[os.environ.get("SAMPLE_TOKEN", "")])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
