"""The watcher is the single writer of build records: every ``build.*`` fact becomes an update."""

from __future__ import annotations

from aftomato.common.bus import Delivery, Handler, Retry
from aftomato.common.records.events import update_from
from aftomato.common.records.store import BuildStore, StoreUnavailable

RETRY_DELAY_SECONDS = 1.0


def record_handler(records: BuildStore) -> Handler:
    async def handle(delivery: Delivery) -> None:
        update = update_from(delivery.message)
        if update is None:
            return
        try:
            await records.apply(update)
        except StoreUnavailable as passing:
            raise Retry(str(passing), delay=RETRY_DELAY_SECONDS) from passing

    return handle
