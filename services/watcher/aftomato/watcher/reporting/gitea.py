"""Gitea: ``POST /api/v1/repos/{owner}/{repo}/statuses/{sha}``, token as
``Authorization: token <token>``.

Gitea's states are GitHub's (plus ``warning``): running is ``pending``, cancelled ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aftomato.watcher.reporting.github import statuses_body
from aftomato.watcher.reporting.scm import ApiRequest, joined, owner_and_name
from aftomato.watcher.reporting.status import CommitStatus, ReportTarget


@dataclass(frozen=True)
class GiteaStatuses:
    base_url: str
    token: str = field(repr=False)
    repeats_state: bool = field(default=True, init=False)

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        owner, repo = owner_and_name(target.project_key)
        return ApiRequest(
            "POST",
            joined(self.base_url, f"api/v1/repos/{owner}/{repo}/statuses/{commit}"),
            {"Authorization": f"token {self.token}"},
            statuses_body(status),
            secrets=(self.token,),
        )
