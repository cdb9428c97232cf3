"""GitLab: ``POST /api/v4/projects/{url-encoded path}/statuses/{sha}``.

The project is named by its path with namespace (the project key, slashes encoded); the token is
sent as ``PRIVATE-TOKEN``. GitLab knows ``running`` and ``canceled`` itself; ``error`` becomes
``failed``. ``ref`` is the build's branch, so the status lands on that branch's pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from aftomato.watcher.reporting.scm import ApiRequest, joined
from aftomato.watcher.reporting.status import CommitStatus, ReportTarget, StatusKind

STATES: dict[StatusKind, str] = {
    StatusKind.PENDING: "pending",
    StatusKind.RUNNING: "running",
    StatusKind.SUCCESS: "success",
    StatusKind.FAILURE: "failed",
    StatusKind.ERROR: "failed",
    StatusKind.CANCELLED: "canceled",
}


@dataclass(frozen=True)
class GitLabStatuses:
    base_url: str
    token: str = field(repr=False)
    repeats_state: bool = field(default=False, init=False)

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        project = quote(target.project_key, safe="")
        return ApiRequest(
            "POST",
            joined(self.base_url, f"api/v4/projects/{project}/statuses/{commit}"),
            {"PRIVATE-TOKEN": self.token},
            {
                "state": STATES[status.kind],
                "ref": target.branch,
                "name": status.context,
                "target_url": status.target_url,
                "description": status.description,
            },
            secrets=(self.token,),
        )
