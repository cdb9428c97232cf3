"""The deliveries this replica answered lately, so that a repeat is answered "duplicate".

Only an optimisation of the answer: build ids are derived from the delivery, so a repeat that
reaches another replica (or this one after a restart) still names the same builds downstream.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")


class RecentDeliveries(Generic[Value]):
    """A least-recently-used map of at most ``capacity`` deliveries."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str], Value] = OrderedDict()

    def get(self, source: str, delivery_id: str) -> Value | None:
        key = (source, delivery_id)
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def remember(self, source: str, delivery_id: str, value: Value) -> None:
        if self._capacity == 0:
            return
        self._entries[(source, delivery_id)] = value
        self._entries.move_to_end((source, delivery_id))
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
