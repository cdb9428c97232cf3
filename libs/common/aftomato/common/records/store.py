"""The build store's shape: apply an update, read one record, page through history, list active.

Both stores keep the same promises, proven by one contract suite: :meth:`BuildStore.apply` merges
by :func:`~aftomato.common.records.model.advance` atomically against concurrent writers (no
writer's fields are lost), so applying an event twice, late or out of order is safe.

History pages the way DynamoDB does, in both stores: ``limit`` counts the records *examined*
(newest first, ``since`` applied), the branch filter applies after that, so a page can be short
or even empty and still carry a cursor. Only a page without a cursor is the last one. Use
:func:`walk_history` rather than stopping at the first short page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aftomato.common.records.model import BuildRecord, RecordUpdate

MAX_PAGE = 100


class StoreUnavailable(Exception):
    """The store cannot be reached or is overloaded now; the caller retries (``Retry``)."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    records: tuple[BuildRecord, ...]
    cursor: str | None
    """Pass it back (with the same query) for the next page; None: this was the last page."""


class BuildStore(Protocol):
    async def apply(self, update: RecordUpdate) -> BuildRecord:
        """Merge ``update`` into its record and return the record as stored afterwards.

        The result is unchanged when the update lost (a lower rank, a final state already
        reached, nothing new to fill): compare its state with the update's to tell.
        """

    async def get(self, build_id: str) -> BuildRecord | None:
        """The record of ``build_id``, or None when no event about it was applied yet."""

    async def history(
        self,
        project_key: str,
        *,
        branch: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> HistoryPage:
        """A project's builds, newest requested first; see the module on short and empty pages.

        ``since`` keeps builds requested at or after it (to the second); ``limit`` is 1 to
        100; a ``cursor`` from another query raises :class:`~.cursor.InvalidCursor`.
        """

    async def active(self) -> list[BuildRecord]:
        """Every build not in a final state, oldest requested first."""


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit {limit} is out of range: 1 to {MAX_PAGE}")
    return limit


async def walk_history(
    store: BuildStore,
    project_key: str,
    *,
    branch: str | None = None,
    since: datetime | None = None,
    page_size: int = MAX_PAGE,
) -> AsyncIterator[BuildRecord]:
    """Every matching record, newest first, following cursors across short and empty pages."""
    cursor: str | None = None
    while True:
        page = await store.history(
            project_key, branch=branch, since=since, limit=page_size, cursor=cursor
        )
        for record in page.records:
            yield record
        if page.cursor is None:
            return
        cursor = page.cursor
