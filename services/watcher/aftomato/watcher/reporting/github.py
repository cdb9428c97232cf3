"""GitHub (and GitHub Enterprise Server): ``POST /repos/{owner}/{repo}/statuses/{sha}``.

GitHub has four states: a running build is ``pending`` with its own description, a cancelled
one ``error``. The token is sent as ``Authorization: Bearer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aftomato.watcher.reporting.scm import ApiRequest, joined, owner_and_name
from aftomato.watcher.reporting.status import CommitStatus, ReportTarget, StatusKind

STATES: dict[StatusKind, str] = {
    StatusKind.PENDING: "pending",
    StatusKind.RUNNING: "pending",
    StatusKind.SUCCESS: "success",
    StatusKind.FAILURE: "failure",
    StatusKind.ERROR: "error",
    StatusKind.CANCELLED: "error",
}


@dataclass(frozen=True)
class GitHubStatuses:
    base_url: str
    token: str = field(repr=False)
    repeats_state: bool = field(default=True, init=False)

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        owner, repo = owner_and_name(target.project_key)
        return ApiRequest(
            "POST",
            joined(self.base_url, f"repos/{owner}/{repo}/statuses/{commit}"),
            {
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            statuses_body(status),
            secrets=(self.token,),
        )


def statuses_body(status: CommitStatus) -> dict[str, Any]:
    """The JSON of GitHub's statuses API, which Gitea's copies."""
    return {
        "state": STATES[status.kind],
        "target_url": status.target_url,
        "description": status.description,
        "context": status.context,
    }
