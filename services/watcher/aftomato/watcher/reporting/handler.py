"""The reporting consumer's handler: a ``build.*`` fact becomes a commit status (once, in order)
and, when a build ends, perhaps a chat notice.

It runs on its own queue, ``aftomato.reporting``: a slow or failing SCM delays only statuses,
never the build records, which the watcher writes from ``aftomato.watcher``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from aftomato.common.bus import Delivery, Handler, Retry
from aftomato.common.coordination import CoordinationUnavailable
from aftomato.common.logging import get_logger
from aftomato.common.messages import (
    BuildFinished,
    BuildMessage,
    BuildQueued,
    BuildRequested,
    BuildStarted,
    Message,
    Source,
)
from aftomato.common.records.store import BuildStore, StoreUnavailable
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.ledger import Claim, ReportLedger
from aftomato.watcher.reporting.notify import Notifier
from aftomato.watcher.reporting.scm import StatusApi, UnsupportedRepository
from aftomato.watcher.reporting.sender import (
    MAX_DEFERRAL_SECONDS,
    SendDeferred,
    Sender,
    SendRefused,
)
from aftomato.watcher.reporting.status import ReportTarget, same_kind, status_for

log = get_logger(__name__)

WAIT_SECONDS = 1.0
BUSY_POLL_SECONDS = 0.25
"""How long a message waits before its redelivery when the record or another claim is behind."""


@dataclass(frozen=True)
class Reporting:
    apis: Mapping[Source, StatusApi]
    sender: Sender
    ledger: ReportLedger
    records: BuildStore
    notifier: Notifier
    public_url: str
    context: str


def reported_fact(message: Message) -> tuple[BuildState, str | None] | None:
    """The state ``message`` moves its build to and the reason given, if it is reported."""
    if isinstance(message, BuildRequested):
        return BuildState.REQUESTED, None
    if isinstance(message, BuildQueued):
        return BuildState.QUEUED, message.reason
    if isinstance(message, BuildStarted):
        return BuildState.RUNNING, None
    if isinstance(message, BuildFinished):
        return message.state, message.reason
    return None


def reporting_handler(reporting: Reporting) -> Handler:
    async def handle(delivery: Delivery) -> None:
        fact = reported_fact(delivery.message)
        if fact is None:
            return
        try:
            await _report(reporting, delivery.message, *fact)
        except (StoreUnavailable, CoordinationUnavailable) as passing:
            raise Retry(str(passing), delay=WAIT_SECONDS) from passing

    return handle


async def _report(
    reporting: Reporting, message: Message, state: BuildState, reason: str | None
) -> None:
    if not _may_report(reporting, message, state):
        return  # no SCM takes statuses and no notice is due: the record need not be read
    target = await _target(reporting.records, message)
    if target is None:
        raise Retry("the build's record is not written yet", delay=WAIT_SECONDS)
    api = reporting.apis.get(target.source) if target.source and target.commit else None
    notices = state.is_final and reporting.notifier.wanted(target.project_key)
    if api is None and not notices:
        return
    claim, previous = await _claim(reporting.ledger, target, state)
    if claim is Claim.BUSY:
        raise Retry("an earlier state of this build is being reported", delay=WAIT_SECONDS)
    if claim is Claim.GRANTED:
        if api is not None and not api.repeats_state and same_kind(previous, state):
            api = None  # the SCM shows this kind already and would refuse it again
        await _send_status(reporting, api, target, state, reason)
    if notices:
        await reporting.notifier.notify(target, state, reason)


def _may_report(reporting: Reporting, message: Message, state: BuildState) -> bool:
    """Whether ``message`` might earn a status or a notice, before its record is read."""
    if reporting.apis:
        return True
    wanted = reporting.notifier.wanted
    return state.is_final and isinstance(message, BuildMessage) and wanted(message.project_key)


async def _claim(
    ledger: ReportLedger, target: ReportTarget, state: BuildState
) -> tuple[Claim, BuildState | None]:
    """Claim ``state``, waiting in place while another reporter holds an earlier claim: it is
    sending (and soon done) or died (and its claim soon stale); retrying the message instead
    would spend its deliveries, and a dead-lettered final state would never be reported."""
    deadline = time.monotonic() + ledger.claim_seconds + BUSY_POLL_SECONDS
    while True:
        claim, previous = await ledger.claim(target.build_id, target.commit, state)
        if claim is not Claim.BUSY or time.monotonic() > deadline:
            return claim, previous
        await asyncio.sleep(BUSY_POLL_SECONDS)


async def _target(records: BuildStore, message: Message) -> ReportTarget | None:
    if isinstance(message, BuildRequested):
        return ReportTarget(
            message.build_id, message.project_key, message.branch, message.source, message.commit
        )
    record = await records.get(getattr(message, "build_id", ""))
    if record is None or record.source is None:
        return None
    return ReportTarget(
        record.build_id, record.project_key, record.branch, record.source, record.commit
    )


async def _send_status(
    reporting: Reporting,
    api: StatusApi | None,
    target: ReportTarget,
    state: BuildState,
    reason: str | None,
) -> None:
    ledger = reporting.ledger
    status = status_for(
        state,
        reason,
        build_id=target.build_id,
        public_url=reporting.public_url,
        context=reporting.context,
    )
    try:
        if api is not None and status is not None and target.commit:
            await reporting.sender.send(api.request(target, target.commit, status))
            log.info("status reported", state=state.value, commit=target.commit)
    except SendDeferred as later:
        await ledger.release(target.build_id, target.commit, state)
        raise Retry(str(later), delay=min(later.delay, MAX_DEFERRAL_SECONDS)) from later
    except (SendRefused, UnsupportedRepository) as refused:
        # Sending it again would be refused again; later states are still reported.
        log.error("status refused", state=state.value, error=str(refused))
    except BaseException:
        await ledger.release(target.build_id, target.commit, state)
        raise
    await ledger.confirm(target.build_id, target.commit, state)
