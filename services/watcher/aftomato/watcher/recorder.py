"""The watcher is the single writer of build records: every ``build.*`` fact becomes an update."""

from __future__ import annotations

from aftomato.common.bus import Delivery, Handler, Retry
from aftomato.common.records.events import update_from
from aftomato.common.records.store import BuildStore, StoreUnavailable
from aftomato.watcher.applied import AppliedUpdates
from aftomato.watcher.finished import RecentlyFinished

RETRY_DELAY_SECONDS = 1.0


def record_handler(
    records: BuildStore,
    finished: RecentlyFinished | None = None,
    applied: AppliedUpdates | None = None,
) -> Handler:
    """``finished``: builds whose final record this watcher wrote; their ``build.finished``
    (the watcher's own, heard back) and a late ``build.started`` cannot change the record, so
    they cost no read. ``applied``: what this watcher applied lately (its own ``build.started``
    heard back says nothing new)."""
    applied = applied if applied is not None else AppliedUpdates()

    async def handle(delivery: Delivery) -> None:
        update = update_from(delivery.message)
        if update is None:
            return
        if finished is not None and finished.state(update.build_id) is not None:
            return  # final, with its log: no state moves it, its own adds nothing it lacks
        if applied.redundant(update):
            return
        try:
            await records.apply(update)
        except StoreUnavailable as passing:
            raise Retry(str(passing), delay=RETRY_DELAY_SECONDS) from passing
        applied.add(update)

    return handle
