"""The scheduler's queue: which message goes to which handler, and retries for passing faults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aftomato.common.bus import Delivery, Handler, Reject, Retry
from aftomato.common.bus.topology import SERVICE_QUEUES
from aftomato.common.coordination import CoordinationUnavailable
from aftomato.common.messages import (
    BuildCancelRequested,
    BuildFinished,
    BuildRequested,
    Message,
    ScriptsUpdated,
)
from aftomato.scheduler.pods import PodsUnavailable
from aftomato.scheduler.scheduling import Scheduler

QUEUE = "aftomato.scheduler"
ROUTING_KEYS = SERVICE_QUEUES[QUEUE]
RETRY_DELAY_SECONDS = 1.0


def scheduler_handler(scheduler: Scheduler, scripts_changed: Callable[[], None]) -> Handler:
    routes: dict[type[Message], Callable[[Message], Awaitable[None]]] = {
        BuildRequested: lambda m: scheduler.on_requested(_as(m, BuildRequested)),
        BuildCancelRequested: lambda m: scheduler.on_cancel(_as(m, BuildCancelRequested)),
        BuildFinished: lambda m: scheduler.on_finished(_as(m, BuildFinished)),
    }

    async def handle(delivery: Delivery) -> None:
        message = delivery.message
        if isinstance(message, ScriptsUpdated):
            scripts_changed()
            return
        route = routes.get(type(message))
        if route is None:
            raise Reject(f"the scheduler does not handle {delivery.routing_key}")
        try:
            await route(message)
        except (CoordinationUnavailable, PodsUnavailable) as passing:
            raise Retry(str(passing), delay=RETRY_DELAY_SECONDS) from passing

    return handle


M = TypeVar("M", bound=Message)


def _as(message: Message, kind: type[M]) -> M:
    if not isinstance(message, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(message).__name__}")
    return message
