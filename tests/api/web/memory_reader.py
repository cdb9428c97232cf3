"""A WebReader over plain lists for rendering tests: the pages' input, shaped as docs/api.md."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from aftomato.common.records.cursor import InvalidCursor


def make_build(project: str = "team/app", branch: str = "main", **fields: Any) -> dict[str, Any]:
    """A Build as the API answers it; ``fields`` override any attribute."""
    build_id = fields.pop("build_id", None) or uuid.uuid4().hex
    build: dict[str, Any] = {
        "build_id": build_id,
        "project_key": project,
        "branch": branch,
        "state": "succeeded",
        "reason": None,
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "ref_type": "branch",
        "pull_request": None,
        "source": "api",
        "actor": "alice",
        "requested_at": "2026-11-25T06:00:00Z",
        "queued_at": None,
        "scheduled_at": "2026-11-25T06:00:01Z",
        "started_at": "2026-11-25T06:00:02Z",
        "finished_at": "2026-11-25T06:01:17Z",
        "exit_code": 0,
        "elapsed_seconds": 75,
        "is_building": False,
        "links": {"page": f"/builds/{build_id}"},
    }
    build.update(fields)
    return build


@dataclass
class MemoryReader:
    """Builds newest first per project; a project exists when it is in ``keys``."""

    keys: list[str] = field(default_factory=lambda: ["team/app"])
    history: list[dict[str, Any]] = field(default_factory=list)
    artifact_lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    queue_state: dict[str, Any] = field(
        default_factory=lambda: {"open": True, "reason": None, "closed_by": None, "closed_at": None}
    )
    config_errors: dict[str, str] = field(default_factory=dict)

    async def projects(self) -> list[dict[str, Any]]:
        return [self._project(key) for key in self.keys]

    async def project(self, key: str) -> dict[str, Any] | None:
        return self._project(key) if key in self.keys else None

    async def builds(
        self,
        project: str,
        *,
        branch: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        mine = [
            b
            for b in self.history
            if b["project_key"] == project and (branch is None or b["branch"] == branch)
        ]
        if cursor is not None and not cursor.isdigit():
            raise InvalidCursor(f"cursor {cursor!r} is not one this reader gave out")
        start = int(cursor or 0)
        more = start + limit < len(mine)
        return {
            "builds": mine[start : start + limit],
            "cursor": str(start + limit) if more else None,
        }

    async def build(self, build_id: str) -> dict[str, Any] | None:
        return next((b for b in self.history if b["build_id"] == build_id), None)

    async def active(self) -> list[dict[str, Any]]:
        return [
            b for b in self.history if b["state"] in {"requested", "queued", "scheduled", "running"}
        ]

    async def waiting(self) -> list[dict[str, Any]]:
        return [b for b in self.history if b["state"] in {"requested", "queued"}]

    async def queue(self) -> dict[str, Any]:
        return self.queue_state

    async def artifacts(self, build_id: str) -> list[dict[str, Any]]:
        return self.artifact_lists.get(build_id, [])

    def _project(self, key: str) -> dict[str, Any]:
        last = next((b for b in self.history if b["project_key"] == key), None)
        return {
            "key": key,
            "config": {"image": "debian:bookworm", "concurrency": "queue"},
            "config_error": self.config_errors.get(key),
            "last_build": last,
            "links": {"page": f"/projects/{key}"},
        }
