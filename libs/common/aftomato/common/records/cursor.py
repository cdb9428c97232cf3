"""Opaque history cursors: where the last page stopped, bound to its store and its query.

A cursor is URL-safe base64 (no padding) of a small JSON object: the store kind (``b``), a digest
of the query (``q``: project, branch, since), and the position of the last item the store
examined: its ``buildTime`` (``t``) and ``buildID`` (``id``). For DynamoDB that position is the
``LastEvaluatedKey`` of the ``projectKey-buildTime-index`` query (its ``projectKey`` is the
query's); for SQLite it is the row position in the same order. Clients must treat it as opaque:
a cursor handed to another query or another store is refused with :class:`InvalidCursor`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime


class InvalidCursor(ValueError):
    """A cursor that is malformed or belongs to another query or store; the message names it."""


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What one history listing asks for; its cursors work only for the same query."""

    project_key: str
    branch: str | None = None
    since: datetime | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.since.utcoffset() is None:
            raise ValueError(f"since {self.since.isoformat()} has no time zone")

    @property
    def since_time(self) -> int | None:
        """``since`` in whole epoch seconds (``buildTime`` has second precision)."""
        return None if self.since is None else int(self.since.timestamp())

    def digest(self) -> str:
        fields = [self.project_key, self.branch, self.since_time]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Position:
    """The last item a page examined, in history order (``buildTime`` desc, then ``buildID``)."""

    build_time: int
    build_id: str


def encode_cursor(store: str, query: HistoryQuery, position: Position) -> str:
    payload = {"b": store, "q": query.digest(), "t": position.build_time, "id": position.build_id}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(store: str, query: HistoryQuery, cursor: str) -> Position:
    """The position in ``cursor``, or :class:`InvalidCursor` if it is not one of this query's."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        kind, digest = payload["b"], payload["q"]
        position = Position(int(payload["t"]), str(payload["id"]))
    except (binascii.Error, ValueError, TypeError, KeyError) as error:
        raise InvalidCursor(f"cursor {cursor!r} is not a history cursor") from error
    if kind != store or digest != query.digest():
        raise InvalidCursor(
            f"cursor {cursor!r} belongs to another query or store: "
            "pass the same project, branch and since as the page it came from"
        )
    return position
