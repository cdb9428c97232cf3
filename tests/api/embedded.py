"""The api on the embedded back ends (in-process bus and locks, SQLite, local folders) with the
fake Kubernetes API for live logs, served from a thread of its own: for synchronous clients such
as schemathesis, and for the benchmark's second rig."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from aftomato.api.kube_logs import KubeLiveLogs
from aftomato.api.service import compose_api
from aftomato.common.blobs.local import LocalBlobStore
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.records.store import BuildStore
from tests.api.rig import NAMESPACE, api_settings, serving
from tests.api.scripts import scripts_reader
from tests.support.fake_kube import FakeKube, api_client


@dataclass(frozen=True)
class Embedded:
    url: str
    records: BuildStore
    app: web.Application
    fake: FakeKube
    loop: asyncio.AbstractEventLoop
    """The loop the api runs on: call the records through it."""


OpenRecords = Callable[[Path, AsyncExitStack], Awaitable[BuildStore]]
"""Opens a build store on the api's loop, registering its clean-up on the stack."""


async def sqlite_records(root: Path, stack: AsyncExitStack) -> BuildStore:
    records = await SqliteStore.open(root / "records.sqlite")
    stack.push_async_callback(records.close)
    return records


@contextmanager
def embedded_api(root: Path, open_records: OpenRecords = sqlite_records) -> Iterator[Embedded]:
    """The api served until the block ends, on SQLite records unless ``open_records`` says."""
    loop = asyncio.new_event_loop()
    started: asyncio.Future[Embedded] = loop.create_future()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            async with AsyncExitStack() as stack:
                fake = await stack.enter_async_context(FakeKube())
                kube = await stack.enter_async_context(api_client(fake.url))
                records = await open_records(root, stack)
                parts = compose_api(
                    bus=InMemoryBus(InMemoryBroker()),
                    records=records,
                    logs=LocalBlobStore(root / "logs"),
                    artifacts=LocalBlobStore(root / "artifacts"),
                    coordination=InMemoryStore(),
                    keys=BuildKeys(),
                    scripts=await scripts_reader(root),
                    live_logs=KubeLiveLogs(kube, NAMESPACE),
                    settings=api_settings(),
                )
                server = await stack.enter_async_context(serving(parts))
                url = str(server.make_url("")).rstrip("/")
                started.set_result(Embedded(url, records, parts.app, fake, loop))
                await stop.wait()
        except BaseException as error:
            if not started.done():
                started.set_exception(error)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    embedded = asyncio.run_coroutine_threadsafe(_wait(started), loop).result(timeout=60)
    try:
        yield embedded
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()


async def _wait(started: asyncio.Future[Embedded]) -> Embedded:
    return await started
