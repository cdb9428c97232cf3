"""Build records: the model and its merge rule, the :class:`BuildStore` protocol, and two stores.

``dynamodb.DynamoDbStore`` is the production store (DESIGN section 8), ``sqlite.SqliteStore``
the embedded one for ``aftomato up``; one contract suite proves they keep the same promises.
"""

from aftomato.common.records.cursor import InvalidCursor
from aftomato.common.records.events import update_from
from aftomato.common.records.model import BuildRecord, RecordUpdate, advance
from aftomato.common.records.store import (
    BuildStore,
    HistoryPage,
    StoreUnavailable,
    walk_history,
)

__all__ = [
    "BuildRecord",
    "BuildStore",
    "HistoryPage",
    "InvalidCursor",
    "RecordUpdate",
    "StoreUnavailable",
    "advance",
    "update_from",
    "walk_history",
]
