"""Reporting under test without a broker: messages are handed to the handler as the bus would
(the record written first, as the watcher's recorder does), against a real fake-SCM server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from aftomato.common.bus import Delivery, Retry
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import (
    BuildFinished,
    BuildMessage,
    BuildQueued,
    BuildRequested,
    BuildStarted,
    Source,
)
from aftomato.common.records.events import update_from
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.handler import Reporting, reporting_handler
from aftomato.watcher.reporting.projects import ProjectNotifications
from aftomato.watcher.reporting.sender import RetryPolicy
from aftomato.watcher.reporting.settings import ReportingSettings
from aftomato.watcher.reporting.wiring import open_reporting
from tests.support.fake_scm import FakeScm

PUBLIC_URL = "https://ci.example.test"
FAST = RetryPolicy(attempts=4, base_delay=0.05, max_delay=1.0, max_wait=5.0, timeout=5.0)
SETTING_NAMES = {
    "github": ("github_api_url", "github_token"),
    "gitlab": ("gitlab_url", "gitlab_token"),
    "bitbucket-server": ("bitbucket_server_url", "bitbucket_server_token"),
    "bitbucket-cloud": ("bitbucket_cloud_api_url", "bitbucket_cloud_token"),
    "gitea": ("gitea_url", "gitea_token"),
}
PROJECTS = {
    "github": "octo/app",
    "gitlab": "group/sub/app",
    "bitbucket-server": "PROJ/app",
    "bitbucket-cloud": "team/app",
    "gitea": "octo/app",
}


def settings_for(scm: FakeScm, *providers: str) -> ReportingSettings:
    values: dict[str, Any] = {"public_url": PUBLIC_URL}
    for provider in providers:
        url_name, token_name = SETTING_NAMES[provider]
        values[url_name] = scm.base(provider)
        values[token_name] = SecretStr(scm.token)
    return ReportingSettings(**values)


@dataclass
class Harness:
    reporting: Reporting
    records: SqliteStore
    coordination: CoordinationStore

    async def deliver(
        self, message: BuildMessage, count: int = 1, *, record: bool = True
    ) -> Retry | None:
        """The record updated (unless not ``record``), then one delivery; a ``Retry`` raised is
        returned."""
        update = update_from(message)
        if update is not None and record:
            await self.records.apply(update)
        try:
            await reporting_handler(self.reporting)(Delivery(message, message.routing_key, count))
        except Retry as retry:
            return retry
        return None


@asynccontextmanager
async def harness(
    tmp_path: Path,
    settings: ReportingSettings,
    *,
    projects: ProjectNotifications | None = None,
    environ: Mapping[str, str] | None = None,
    coordination: CoordinationStore | None = None,
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        records = await SqliteStore.open(tmp_path / "records.sqlite")
        stack.push_async_callback(records.close)
        store = coordination or InMemoryStore()
        wiring = await open_reporting(
            stack, settings, records=records, coordination=store, prefix="/t/", policy=FAST
        )
        reporting = wiring.reporting
        assert reporting is not None
        if projects is not None or environ is not None:
            notifier = reporting.notifier
            reporting = _with_notifier(reporting, projects or notifier.projects, environ or {})
        yield Harness(reporting, records, store)


def _with_notifier(
    reporting: Reporting, projects: ProjectNotifications, environ: Mapping[str, str]
) -> Reporting:
    notifier = replace(reporting.notifier, projects=projects, environ=environ)
    return replace(reporting, notifier=notifier)


@dataclass(frozen=True)
class Build:
    """The messages of one build's life, as the scheduler and the watcher publish them."""

    source: Source
    project_key: str
    number: int = 1
    branch: str = "main"
    commit: str = "c0ffee" + "0" * 34

    @property
    def build_id(self) -> str:
        return derived_build_id(self.source.value, f"d{self.number}", self.project_key, self.branch)

    def _ids(self) -> dict[str, str]:
        return {"build_id": self.build_id, "project_key": self.project_key, "branch": self.branch}

    def requested(self) -> BuildRequested:
        return BuildRequested(
            **self._ids(), source=self.source, delivery_id=f"d{self.number}", commit=self.commit
        )

    def queued(self) -> BuildQueued:
        return BuildQueued(**self._ids(), reason="main is building")

    def started(self) -> BuildStarted:
        return BuildStarted(**self._ids(), pod_name=f"build-{self.build_id}")

    def finished(self, state: BuildState = BuildState.SUCCEEDED) -> BuildFinished:
        exit_code = {BuildState.SUCCEEDED: 0, BuildState.FAILED: 1}.get(state)
        reason = None if state is BuildState.SUCCEEDED else f"the build {state.value}"
        return BuildFinished(**self._ids(), state=state, exit_code=exit_code, reason=reason)
