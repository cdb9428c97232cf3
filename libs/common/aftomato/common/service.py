"""What every composition root does around its own wiring: settings, logging, run, exit code.

A service's ``main`` reads its settings (reporting a bad one with :func:`report_settings_error`)
and hands :func:`run_service` a ``start`` coroutine that builds its clients (registering their
clean-up on the exit stack) and returns its components; the settings' secrets are masked in logs.
Exit codes: 0 stopped cleanly, 1 a component failed, 2 the configuration is wrong.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack

from aftomato.common.logging import configure_logging, get_logger
from aftomato.common.runner import Component, ServiceFailed, run_components
from aftomato.common.settings import LogSettings, SettingsError, load

Start = Callable[[AsyncExitStack], Awaitable[Sequence[Component]]]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def run_service(
    component: str,
    start: Start,
    *,
    secrets: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> int:
    """Configure logging, run ``start``'s components until SIGTERM, and return the exit code."""
    try:
        configure_logging(component, load(LogSettings, environ), secrets=secrets)
    except SettingsError as error:
        return report_settings_error(component, error)
    log = get_logger(__name__)
    _tune_garbage_collection()
    try:
        asyncio.run(_run(start))
    except SettingsError as error:
        log.error("configuration error", error=str(error))
        return EXIT_CONFIG
    except ServiceFailed as failure:
        log.error("service failed", error=str(failure))
        return EXIT_FAILED
    return EXIT_OK


def _tune_garbage_collection() -> None:
    """Collect young objects less often: a service allocates many short-lived ones per request
    and the default threshold made collection a tenth of the ingest service's CPU time."""
    gc.collect()
    gc.freeze()  # what start-up loaded lives as long as the process: never scan it again
    gc.set_threshold(50_000, 20, 100)


def report_settings_error(component: str, error: SettingsError) -> int:
    """For settings read before logging is set up: say what is wrong on stderr, exit code 2."""
    print(f"aftomato {component}: {error}", file=sys.stderr)  # noqa: T201 - no logger yet
    return EXIT_CONFIG


async def _run(start: Start) -> None:
    async with AsyncExitStack() as stack:
        components = await start(stack)
        await run_components(components)
