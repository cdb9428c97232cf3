"""Opening and closing the build queue (the api does it; the scheduler obeys it).

While the queue is closed, requests keep arriving and wait in their queues; nothing is dropped.
Opening it lets the scheduler's next sweep start what may start.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.store import CoordinationStore, Delete, Put


class Closure(BaseModel):
    closed_by: str | None
    closed_at: datetime
    reason: str | None = None


async def close_queue(
    store: CoordinationStore, keys: BuildKeys, *, by: str | None, reason: str | None = None
) -> None:
    closure = Closure(closed_by=by, closed_at=datetime.now(UTC), reason=reason)
    await store.transaction([], [Put(keys.queue_closed, closure.model_dump_json().encode())])


async def open_queue(store: CoordinationStore, keys: BuildKeys) -> None:
    await store.transaction([], [Delete(keys.queue_closed)])


async def queue_closure(store: CoordinationStore, keys: BuildKeys) -> Closure | None:
    """Who closed the queue and when, or None while it is open."""
    found = await store.get(keys.queue_closed)
    return None if found is None else Closure.model_validate_json(found.value)
