"""The shape every SCM module has: a commit status becomes one HTTP request, purely.

Sending, retrying and remembering are the same for all of them (``sender.py``, ``ledger.py``);
what differs is the URL, the auth header and the JSON, which is all an :class:`StatusApi` says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from aftomato.watcher.reporting.status import CommitStatus, ReportTarget


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any]
    secrets: tuple[str, ...] = field(default=())
    """Values that must never reach a log line (the token, a webhook URL)."""

    def __repr__(self) -> str:
        return f"ApiRequest({self.method} {self.masked(self.url)})"

    def masked(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class StatusApi(Protocol):
    @property
    def repeats_state(self) -> bool:
        """False for an SCM that refuses a status in the state the commit shows already (GitLab):
        ``queued`` after ``requested`` is then not sent, both being ``pending`` there."""

    def request(self, target: ReportTarget, commit: str, status: CommitStatus) -> ApiRequest:
        """The request that sets ``status`` on ``commit`` of ``target``'s repository."""


class UnsupportedRepository(ValueError):
    """The project key does not name a repository of this SCM (e.g. no owner/name)."""


def owner_and_name(project_key: str) -> tuple[str, str]:
    """``owner/name`` split in two, each quoted for a URL path; exactly one slash expected."""
    owner, slash, name = project_key.partition("/")
    if not slash or not owner or not name or "/" in name:
        raise UnsupportedRepository(f"project key {project_key!r} is not owner/name")
    return quote(owner, safe=""), quote(name, safe="")


def joined(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"
