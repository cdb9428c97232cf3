"""Stored things as the API shows them: pure functions from records, projects and blobs to the
answer models of :mod:`.models`."""

from __future__ import annotations

from urllib.parse import quote

from aftomato.api.models import (
    Artifact,
    Build,
    BuildLinks,
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


def build_links(build_id: str) -> BuildLinks:
    return BuildLinks(
        self=f"{API}/builds/{build_id}",
        page=f"/builds/{build_id}",
        log=f"{API}/builds/{build_id}/log",
        artifacts=f"{API}/builds/{build_id}/artifacts",
    )


def build_view(record: BuildRecord) -> Build:
    return Build(
        build_id=record.build_id,
        project_key=record.project_key,
        branch=record.branch,
        state=record.state,
        reason=record.reason,
        commit=record.commit,
        ref_type=record.ref_type.value if record.ref_type else None,
        pull_request=record.pull_request,
        source=record.source.value if record.source else None,
        actor=record.actor,
        requested_at=record.requested_at,
        queued_at=record.queued_at,
        scheduled_at=record.scheduled_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        exit_code=record.exit_code,
        elapsed_seconds=record.elapsed_seconds,
        is_building=record.is_building,
        links=build_links(record.build_id),
    )


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
        last_build=build_view(last) if last else None,
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
