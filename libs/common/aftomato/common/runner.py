"""One supervised task group per process.

A service is a few components (a consumer, a watch loop, an HTTP server) run side by side. When
one fails, the others are cancelled and the process stops saying why; when one returns before it
was asked to stop, that is a failure too. SIGTERM or SIGINT sets ``stopping``: each component
finishes the work in flight and returns, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from typing import Protocol

from aftomato.common.logging import get_logger

log = get_logger(__name__)


class Component(Protocol):
    @property
    def name(self) -> str: ...

    def ready(self) -> bool:
        """Whether the component can do its work now (what ``/readyz`` sums up)."""

    async def run(self, stopping: asyncio.Event) -> None:
        """Work until ``stopping`` is set, then drain what is in flight and return."""


class ComponentStopped(Exception):
    """A component returned although nobody asked it to stop."""


class ServiceFailed(Exception):
    """A component failed; the message names it and the cause."""


def readiness(components: Sequence[Component]) -> Callable[[], bool]:
    return lambda: all(component.ready() for component in components)


async def run_components(
    components: Sequence[Component],
    *,
    stopping: asyncio.Event | None = None,
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> None:
    """Run every component until a signal (or ``stopping``) asks them to stop.

    Raises :class:`ServiceFailed` when one of them fails or stops on its own.
    """
    stop = stopping or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in signals:
        loop.add_signal_handler(signum, _on_signal, signum, stop)
    try:
        async with asyncio.TaskGroup() as group:
            for component in components:
                group.create_task(_supervise(component, stop), name=component.name)
    except* Exception as failures:
        first = failures.exceptions[0]
        raise ServiceFailed(str(first)) from first
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    log.info("stopped cleanly")


def _on_signal(signum: signal.Signals, stopping: asyncio.Event) -> None:
    if stopping.is_set():
        return
    log.info("stopping: draining work in flight", signal=signum.name)
    stopping.set()


async def _supervise(component: Component, stopping: asyncio.Event) -> None:
    log.info("component starting", component_name=component.name)
    try:
        await component.run(stopping)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        log.exception("component failed", component_name=component.name)
        raise ServiceFailed(f"{component.name} failed: {error!r}") from error
    if not stopping.is_set():
        raise ComponentStopped(f"{component.name} stopped although nobody asked it to")
    log.info("component drained", component_name=component.name)
