"""What every handler works with, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from aftomato.api.auth import Tokens
from aftomato.api.events import EventHub
from aftomato.api.log_stream import LogFollower
from aftomato.api.queries import ApiQueries
from aftomato.api.settings import ApiSettings
from aftomato.common.blobs.store import BlobStore
from aftomato.common.bus import Bus
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.store import CoordinationStore
from aftomato.common.scripts.catalog import ScriptsReader


@dataclass(frozen=True)
class ApiContext:
    queries: ApiQueries
    bus: Bus
    scripts: ScriptsReader
    coordination: CoordinationStore
    keys: BuildKeys
    logs: BlobStore
    artifacts: BlobStore
    follower: LogFollower
    events: EventHub
    tokens: Tokens
    settings: ApiSettings
    clock: Callable[[], datetime]


CONTEXT = web.AppKey("aftomato.api.context", ApiContext)


def context_of(request: web.Request) -> ApiContext:
    return request.app[CONTEXT]
