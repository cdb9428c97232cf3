"""Chat notices when a build ends: failures, and the first success after a failure, for projects
whose ``aftomato.yaml`` asks for them. Each build's notice is sent once (the ledger says so)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aftomato.common.bus import Retry
from aftomato.common.logging import get_logger
from aftomato.common.records.store import BuildStore
from aftomato.common.scripts.config import SlackNotifications
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.ledger import ReportLedger
from aftomato.watcher.reporting.notices import notice_kind, previous_outcome
from aftomato.watcher.reporting.projects import ProjectNotifications
from aftomato.watcher.reporting.sender import (
    MAX_DEFERRAL_SECONDS,
    SendDeferred,
    Sender,
    SendRefused,
)
from aftomato.watcher.reporting.slack import (
    WebhookMissing,
    notice_request,
    notice_text,
    webhook_url,
)
from aftomato.watcher.reporting.status import ReportTarget, build_page

log = get_logger(__name__)


@dataclass(frozen=True)
class Notifier:
    records: BuildStore
    ledger: ReportLedger
    projects: ProjectNotifications
    sender: Sender
    public_url: str
    environ: Mapping[str, str]

    def wanted(self, project_key: str) -> bool:
        return self.projects.of(project_key).slack is not None

    async def notify(self, target: ReportTarget, state: BuildState, reason: str | None) -> None:
        """Send the build's notice if it earns one and none was sent; mark it sent."""
        slack = self.projects.of(target.project_key).slack
        if slack is None:
            return
        entry = await self.ledger.entry(target.build_id, target.commit)
        if entry.notified:
            return
        if entry.reported is not None and entry.reported.is_final:
            state = entry.reported  # another final state won the race: tell that one
        record = await self.records.get(target.build_id)
        if record is None:
            raise Retry("the build's record is not written yet", delay=1.0)
        finished = record.model_copy(update={"state": state, "reason": reason or record.reason})
        kind = notice_kind(state, await previous_outcome(self.records, finished))
        if kind is not None and kind in slack.when:
            text = notice_text(finished, kind, build_page(self.public_url, target.build_id))
            await self._send(slack, text, kind.value)
        await self.ledger.mark_notified(target.build_id, target.commit)

    async def _send(self, slack: SlackNotifications, text: str, kind: str) -> None:
        try:
            await self.sender.send(notice_request(webhook_url(slack, self.environ), text))
            log.info("notice sent", kind=kind)
        except SendDeferred as later:
            raise Retry(str(later), delay=min(later.delay, MAX_DEFERRAL_SECONDS)) from later
        except (SendRefused, WebhookMissing) as refused:
            # Sending it again would fail again: say so, and do not hold the message.
            log.error("notice not sent", kind=kind, error=str(refused))
