"""The reporting consumer on the in-process bus: drained when reporting is off, and the project
settings re-read on ``scripts.updated``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.messages import ScriptsUpdated, Source
from aftomato.common.runner import Component
from aftomato.common.scripts.catalog import CatalogNotRead, ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.projects import CatalogNotifications
from aftomato.watcher.reporting.wiring import QUEUE, ReportingWiring
from tests.support.fake_scm import FakeScm
from tests.support.waiting import eventually
from tests.watcher.reporting.harness import Build, harness, settings_for


@asynccontextmanager
async def running(components: Sequence[Component]) -> AsyncIterator[None]:
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(component.run(stopping)) for component in components]
    try:
        await eventually(lambda: all(c.ready() for c in components), what="reporting consumer")
        yield
    finally:
        stopping.set()
        await asyncio.gather(*tasks)


async def test_without_reporting_its_queue_is_drained() -> None:
    broker = InMemoryBroker()
    bus = InMemoryBus(broker)
    build = Build(Source.GITHUB, "octo/app")
    async with running(ReportingWiring(reporting=None).components(bus)):
        for message in (build.requested(), build.started(), build.finished()):
            await bus.publish(message)
        await eventually(lambda: not broker.queues[QUEUE].messages, what="an empty queue")


async def test_scripts_updated_rereads_the_projects_notifications(
    scm: FakeScm, tmp_path: Path
) -> None:
    project = tmp_path / "scripts" / "team" / "app"
    project.mkdir(parents=True)
    (project / "build.sh").write_text("#!/bin/sh\n")
    reader = ScriptsReader(ScriptsRepository(str(tmp_path / "scripts"), "main", tmp_path / "c"))
    bus = InMemoryBus(InMemoryBroker())
    projects = CatalogNotifications(reader)
    async with harness(tmp_path, settings_for(scm), projects=projects) as rig:
        wiring = ReportingWiring(rig.reporting, reader, scripts_poll_seconds=3600)
        async with running(wiring.components(bus)):
            await eventually(lambda: _read(reader), what="the first read of the scripts")
            assert not rig.reporting.notifier.wanted("team/app")
            hook = scm.slack_webhook()
            config = f"notifications: {{slack: {{webhook: '{hook}'}}}}\n"
            (project / "aftomato.yaml").write_text(config)
            await bus.publish(ScriptsUpdated())
            await eventually(
                lambda: rig.reporting.notifier.wanted("team/app"), what="the new settings"
            )
            build = Build(Source.API, "team/app")
            await rig.deliver(build.requested())
            await rig.deliver(build.finished(BuildState.FAILED))
    assert [n["text"].split(":")[0] for n in scm.notices] == ["Build failed"]


def _read(reader: ScriptsReader) -> bool:
    try:
        return reader.catalog is not None
    except CatalogNotRead:
        return False
