"""The one read side of the api: the JSON pages and the web UI ask the same object, so they can
never disagree. It satisfies the UI's ``WebReader`` protocol; every answer is the exact JSON shape
of docs/api.md (through the models of :mod:`.models`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aftomato.api.views import artifact_view, build_json, project_view, queue_view
from aftomato.common.blobs.store import BlobStore, artifact_manifest_key
from aftomato.common.coordination.gate import queue_closure
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.store import CoordinationStore
from aftomato.common.records.model import BuildRecord
from aftomato.common.records.store import BuildStore
from aftomato.common.scripts.catalog import Project, ScriptsReader
from aftomato.common.states import BuildState

Json = dict[str, Any]
WAITING = frozenset({BuildState.REQUESTED, BuildState.QUEUED})


class ApiQueries:
    def __init__(
        self,
        *,
        records: BuildStore,
        scripts: ScriptsReader,
        coordination: CoordinationStore,
        keys: BuildKeys,
        artifacts: BlobStore,
    ) -> None:
        self._records = records
        self._scripts = scripts
        self._coordination = coordination
        self._keys = keys
        self._artifacts = artifacts

    async def projects(self) -> list[Json]:
        catalog = self._scripts.catalog
        chosen = [catalog.projects[key] for key in sorted(catalog.projects)]
        return list(await asyncio.gather(*(self._project(project) for project in chosen)))

    async def project(self, key: str) -> Json | None:
        project = self._scripts.catalog.lookup(key)
        return None if project is None else await self._project(project)

    async def _project(self, project: Project) -> Json:
        page = await self._records.history(project.key, limit=1)
        last = page.records[0] if page.records else None
        return project_view(project, last).model_dump(mode="json")

    async def builds(
        self,
        project: str,
        *,
        branch: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        since: datetime | None = None,
    ) -> Json:
        page = await self._records.history(
            project, branch=branch, since=since, limit=limit, cursor=cursor
        )
        return {"builds": _builds(page.records), "cursor": page.cursor}

    async def record(self, build_id: str) -> BuildRecord | None:
        return await self._records.get(build_id)

    async def build(self, build_id: str) -> Json | None:
        record = await self._records.get(build_id)
        return None if record is None else build_json(record)

    async def active(self) -> list[Json]:
        return _builds(await self._records.active())

    async def waiting(self) -> list[Json]:
        return _builds([r for r in await self._records.active() if r.state in WAITING])

    async def queue(self) -> Json:
        closure = await queue_closure(self._coordination, self._keys)
        return queue_view(closure).model_dump(mode="json")

    async def artifacts(self, build_id: str) -> list[Json]:
        blobs = await self._artifacts.list(f"{build_id}/")
        return [
            artifact_view(build_id, blob).model_dump(mode="json")
            for blob in blobs
            if blob.key != artifact_manifest_key(build_id)
        ]


def _builds(records: Iterable[BuildRecord]) -> list[Json]:
    return [build_json(record) for record in records]
