"""An aiohttp application served from a thread with its own event loop.

Property-based tests (hypothesis, schemathesis) drive their examples synchronously; serving the
app from a thread lets them talk real HTTP to it without nesting event loops.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from aiohttp import web

AppFactory = Callable[[], Awaitable[web.Application]]


@contextmanager
def serve_in_thread(make_app: AppFactory, *, start_timeout: float = 30.0) -> Iterator[str]:
    """Serve the app ``make_app`` builds (inside the server's loop) and yield its base URL."""
    loop = asyncio.new_event_loop()
    runner: web.AppRunner | None = None
    started = threading.Event()
    url: list[str] = []

    async def start() -> None:
        nonlocal runner
        runner = web.AppRunner(await make_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        url.append(f"http://{host}:{port}")

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="threaded-server", daemon=True)
    thread.start()
    if not started.wait(start_timeout):
        raise RuntimeError(f"the app did not start within {start_timeout} s")
    try:
        yield url[0]
    finally:
        if runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(start_timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(start_timeout)
        loop.close()
