"""Bitbucket Cloud: ``POST /2.0/repositories/{workspace}/{slug}/commit/{sha}/statuses/build``,
with an access token as ``Authorization: Bearer``.

States are ``INPROGRESS``, ``SUCCESSFUL``, ``FAILED`` and ``STOPPED``; ``key`` names the build
series on the commit so each state of one build updates one entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aftomato.watcher.reporting.bitbucket_server import STATES as SERVER_STATES
from aftomato.watcher.reporting.bitbucket_server import build_status_body
from aftomato.watcher.reporting.scm import ApiRequest, joined, owner_and_name
from aftomato.watcher.reporting.status import CommitStatus, ReportTarget, StatusKind

STATES: dict[StatusKind, str] = {**SERVER_STATES, StatusKind.CANCELLED: "STOPPED"}


@dataclass(frozen=True)
class BitbucketCloudStatuses:
    base_url: str
    token: str = field(repr=False)
    repeats_state: bool = field(default=True, init=False)

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        workspace, slug = owner_and_name(target.project_key)
        path = f"2.0/repositories/{workspace}/{slug}/commit/{commit}/statuses/build"
        return ApiRequest(
            "POST",
            joined(self.base_url.rstrip("/").removesuffix("/2.0"), path),
            {"Authorization": f"Bearer {self.token}"},
            build_status_body(target, status, STATES),
            secrets=(self.token,),
        )
