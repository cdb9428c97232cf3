"""History cursors on their own: opaque, and bound to their store and query."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from aftomato.common.records.cursor import (
    HistoryQuery,
    InvalidCursor,
    Position,
    decode_cursor,
    encode_cursor,
)
from tests.common.records.backends import T0

QUERY = HistoryQuery("owner/repo", "main", T0)


def test_a_cursor_round_trips_for_its_own_query() -> None:
    cursor = encode_cursor("sqlite", QUERY, Position(1_900_000_000, "b1"))
    assert cursor.isascii()
    assert "=" not in cursor
    assert decode_cursor("sqlite", HistoryQuery("owner/repo", "main", T0), cursor) == Position(
        1_900_000_000, "b1"
    )


def test_since_counts_to_the_second() -> None:
    cursor = encode_cursor("sqlite", QUERY, Position(1, "b1"))
    later = HistoryQuery("owner/repo", "main", T0 + timedelta(milliseconds=300))
    assert decode_cursor("sqlite", later, cursor) == Position(1, "b1")


@pytest.mark.parametrize(
    ("store", "query"),
    [
        ("dynamodb", QUERY),
        ("sqlite", HistoryQuery("owner/other", "main", T0)),
        ("sqlite", HistoryQuery("owner/repo", None, T0)),
        ("sqlite", HistoryQuery("owner/repo", "main", None)),
    ],
)
def test_a_cursor_of_another_store_or_query_is_refused(store: str, query: HistoryQuery) -> None:
    cursor = encode_cursor("sqlite", QUERY, Position(1, "b1"))
    with pytest.raises(InvalidCursor, match=f"cursor '{cursor}' belongs to another query"):
        decode_cursor(store, query, cursor)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(json.dumps({"b": "sqlite"}).encode()).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_malformed_cursor_is_refused_by_name(cursor: str) -> None:
    with pytest.raises(InvalidCursor, match="is not a history cursor"):
        decode_cursor("sqlite", QUERY, cursor)


def test_since_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError, match="since 2030-01-01T00:00:00 has no time zone"):
        HistoryQuery("owner/repo", since=datetime(2030, 1, 1))
