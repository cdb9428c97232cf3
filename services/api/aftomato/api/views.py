"""Stored things as the API shows them: pure functions from records, projects and blobs to the
answer models of :mod:`.models`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aftomato.api.models import (
    Artifact,
    Build,
    ConfigSummary,
    Project,
    ProjectLinks,
    Queue,
)
from aftomato.common.blobs.store import BlobInfo
from aftomato.common.coordination.gate import Closure
from aftomato.common.records.model import BuildRecord
from aftomato.common.scripts.catalog import Project as ScriptsProject

API = "/api/v1"


BUILD_FIELDS = set(Build.model_fields) - {"is_building", "links"}
"""What a build's JSON takes from its record as it is; the rest is computed."""


def build_json(record: BuildRecord) -> dict[str, Any]:
    """A build as the API shows it (the :class:`~.models.Build` shape), straight from the record:
    the history pages make many of these, so this skips validating each one a second time."""
    shown = record.model_dump(mode="json", include=BUILD_FIELDS)
    shown["is_building"] = record.is_building
    build = record.build_id
    shown["links"] = {
        "self": f"{API}/builds/{build}",
        "page": f"/builds/{build}",
        "log": f"{API}/builds/{build}/log",
        "artifacts": f"{API}/builds/{build}/artifacts",
    }
    return shown


def project_view(project: ScriptsProject, last: BuildRecord | None) -> Project:
    config = project.config
    summary = None
    if config is not None:
        summary = ConfigSummary(
            image=config.image,
            timeout=config.timeout,
            branches=config.branches,
            tags=config.tags,
            pull_requests=config.pull_requests,
            concurrency=config.concurrency.value,
        )
    return Project(
        key=project.key,
        config=summary,
        config_error=project.config_error,
        last_build=Build.model_validate(build_json(last)) if last else None,
        links=ProjectLinks(
            page=f"/projects/{project.key}",
            builds=f"{API}/builds?project={quote(project.key, safe='')}",
        ),
    )


def artifact_view(build_id: str, blob: BlobInfo) -> Artifact:
    path = blob.key.removeprefix(f"{build_id}/")
    return Artifact(
        path=path, size=blob.size, url=f"{API}/builds/{build_id}/artifacts/{quote(path)}"
    )


def queue_view(closure: Closure | None) -> Queue:
    if closure is None:
        return Queue(open=True, reason=None, closed_by=None, closed_at=None)
    return Queue(
        open=False, reason=closure.reason, closed_by=closure.closed_by, closed_at=closure.closed_at
    )
