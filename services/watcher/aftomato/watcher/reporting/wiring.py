"""Reporting's parts built from settings, and its consumer: the watcher's composition root and
its tests call these so that the wiring is written once."""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from dataclasses import dataclass

import aiohttp

from aftomato.common.bus import Bus, Delivery, Handler
from aftomato.common.bus.topology import SERVICE_QUEUES
from aftomato.common.components import Consumer, Periodic
from aftomato.common.coordination import CoordinationStore
from aftomato.common.messages import ScriptsUpdated
from aftomato.common.records.store import BuildStore
from aftomato.common.runner import Component
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.settings import ScriptsSettings
from aftomato.watcher.reporting.apis import status_apis
from aftomato.watcher.reporting.handler import Reporting, reporting_handler
from aftomato.watcher.reporting.ledger import ReportLedger
from aftomato.watcher.reporting.notify import Notifier
from aftomato.watcher.reporting.projects import (
    CatalogNotifications,
    NoNotifications,
    ProjectNotifications,
)
from aftomato.watcher.reporting.sender import RetryPolicy, Sender
from aftomato.watcher.reporting.settings import ReportingSettings

QUEUE = "aftomato.reporting"


@dataclass(frozen=True)
class ReportingWiring:
    reporting: Reporting | None
    """None: reporting is off and its queue is only drained (embedded mode, tests)."""
    scripts: ScriptsReader | None = None
    """Where notification settings come from; None: no project is notified."""
    scripts_poll_seconds: float = 300.0

    def components(self, bus: Bus, *, prefetch: int | None = None) -> list[Component]:
        components: list[Component] = []
        handler = reporting_handler(self.reporting) if self.reporting else _drain
        if self.scripts is not None:
            poll = Periodic("build-scripts poll (reporting)", self.scripts_poll_seconds, self._read)
            handler = _nudging(handler, poll)
            components.append(poll)
        consumer = Consumer(bus, QUEUE, SERVICE_QUEUES[QUEUE], handler, prefetch=prefetch)
        return [consumer, *components]

    async def _read(self) -> None:
        if self.scripts is not None:
            await self.scripts.refresh()


async def _drain(delivery: Delivery) -> None:
    """Reporting is off: the message is acknowledged and forgotten."""


def _nudging(handler: Handler, poll: Periodic) -> Handler:
    async def handle(delivery: Delivery) -> None:
        if isinstance(delivery.message, ScriptsUpdated):
            poll.nudge()
            return
        await handler(delivery)

    return handle


async def open_reporting(
    stack: AsyncExitStack,
    settings: ReportingSettings,
    *,
    records: BuildStore,
    coordination: CoordinationStore,
    prefix: str,
    scripts: ScriptsReader | None = None,
    scripts_poll_seconds: float = 300.0,
    policy: RetryPolicy | None = None,
) -> ReportingWiring:
    """Reporting with its HTTP session (closed by ``stack``), from ``settings``."""
    session = aiohttp.ClientSession(headers={"User-Agent": "aftomato"})
    stack.push_async_callback(session.close)
    policy = policy or RetryPolicy(
        attempts=settings.attempts,
        max_wait=settings.max_wait_seconds,
        timeout=settings.timeout_seconds,
    )
    sender = Sender(session, policy)
    ledger = ReportLedger(coordination, prefix, claim_seconds=policy.longest_send + 10)
    projects: ProjectNotifications = (
        CatalogNotifications(scripts) if scripts is not None else NoNotifications()
    )
    notifier = Notifier(records, ledger, projects, sender, settings.public_url, os.environ)
    reporting = Reporting(
        apis=status_apis(settings),
        sender=sender,
        ledger=ledger,
        records=records,
        notifier=notifier,
        public_url=settings.public_url,
        context=settings.status_context,
    )
    return ReportingWiring(reporting, scripts, scripts_poll_seconds)


def scripts_reader(
    scripts: ScriptsSettings | None, reader: ScriptsReaderSettings
) -> ScriptsReader | None:
    """The build-scripts reader for notification settings, when the watcher is told where the
    build scripts are (``AFTOMATO_BUILD_SCRIPTS_REPO``); its poll reads them first thing."""
    if scripts is None:
        return None
    repository = ScriptsRepository(
        scripts.repo, scripts.branch, reader.cache_dir, timeout=reader.git_timeout
    )
    return ScriptsReader(repository)
