"""Bitbucket Server / Data Center: ``POST /rest/api/latest/projects/{key}/repos/{slug}/commits/
{sha}/builds`` (7.4 and later), with an HTTP access token as ``Authorization: Bearer``.

The project key is ``PROJECTKEY/slug``. ``key`` identifies the build series on the commit, so
every state of one build updates one entry; ``buildNumber`` is the build id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aftomato.watcher.reporting.scm import ApiRequest, joined, owner_and_name
from aftomato.watcher.reporting.status import CommitStatus, ReportTarget, StatusKind

STATES: dict[StatusKind, str] = {
    StatusKind.PENDING: "INPROGRESS",
    StatusKind.RUNNING: "INPROGRESS",
    StatusKind.SUCCESS: "SUCCESSFUL",
    StatusKind.FAILURE: "FAILED",
    StatusKind.ERROR: "FAILED",
    StatusKind.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class BitbucketServerStatuses:
    base_url: str
    token: str = field(repr=False)
    repeats_state: bool = field(default=True, init=False)

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        project, slug = owner_and_name(target.project_key)
        path = f"rest/api/latest/projects/{project}/repos/{slug}/commits/{commit}/builds"
        return ApiRequest(
            "POST",
            joined(self.base_url, path),
            {"Authorization": f"Bearer {self.token}"},
            {
                **build_status_body(target, status, STATES),
                "buildNumber": target.build_id,
                "ref": f"refs/heads/{target.branch}",
            },
            secrets=(self.token,),
        )


def build_status_body(
    target: ReportTarget, status: CommitStatus, states: dict[StatusKind, str]
) -> dict[str, Any]:
    """The fields Bitbucket Server's and Bitbucket Cloud's build statuses share."""
    return {
        "key": status.context,
        "state": states[status.kind],
        "url": status.target_url,
        "name": f"{status.context} {target.branch}",
        "description": status.description,
    }
