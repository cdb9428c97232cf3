"""The embedded back ends of ``aftomato up``, opened under its data folder.

``data_dir/builds.sqlite3`` holds the records, ``data_dir/logs`` and ``data_dir/artifacts`` the
blobs: all three survive a restart. The bus and the locks live in the process; each service gets
its own connection to the one in-process broker, as each would get its own to RabbitMQ.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.blobs.local import LocalBlobStore
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository, ScriptsRepositoryError
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.settings import SettingsError
from aftomato.scheduler.pod_settings import PodContext

RECORDS_FILE = "builds.sqlite3"
KEY_PREFIX = "/aftomato/"


@dataclass
class Backends:
    stack: AsyncExitStack
    broker: InMemoryBroker
    coordination: InMemoryStore
    keys: BuildKeys
    records: SqliteStore
    logs: LocalBlobStore
    artifacts: LocalBlobStore
    repository: ScriptsRepository
    scripts: ScriptsReader

    def bus(self) -> InMemoryBus:
        """A new connection to the in-process broker, closed when ``up`` stops."""
        connection = InMemoryBus(self.broker)
        self.stack.push_async_callback(connection.close)
        return connection


async def open_backends(
    stack: AsyncExitStack, data_dir: Path, pod_context: PodContext, reader: ScriptsReaderSettings
) -> Backends:
    records = await SqliteStore.open(data_dir / RECORDS_FILE)
    stack.push_async_callback(records.close)
    repository = ScriptsRepository(
        pod_context.scripts.repo,
        pod_context.scripts.branch,
        reader.cache_dir,
        timeout=reader.git_timeout,
    )
    scripts = ScriptsReader(repository)
    try:
        await scripts.refresh()
    except ScriptsRepositoryError as error:  # nothing can be built: say so, exit 2
        message = f"build scripts (--scripts, AFTOMATO_BUILD_SCRIPTS_REPO): {error}"
        raise SettingsError(message) from None
    return Backends(
        stack=stack,
        broker=InMemoryBroker(),
        coordination=InMemoryStore(),
        keys=BuildKeys(KEY_PREFIX),
        records=records,
        logs=LocalBlobStore(data_dir / "logs"),
        artifacts=LocalBlobStore(data_dir / "artifacts"),
        repository=repository,
        scripts=scripts,
    )
