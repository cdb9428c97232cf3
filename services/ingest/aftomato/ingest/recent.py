"""The deliveries this replica published lately, so that a repeat is answered "duplicate".

Only an optimisation of the answer: build ids are derived from the delivery, so a repeat that
reaches another replica (or this one after a restart) still names the same builds downstream.
"""

from __future__ import annotations

from collections import OrderedDict


class RecentDeliveries:
    """At most ``capacity`` deliveries, by provider and delivery id; the least recently seen
    is forgotten first.

    Only the keys are kept, one string each. A repeat's answer is made again from its body,
    which gives the same ids. Keeping 10,000 answers (some ten objects each, freed one delivery
    in 10,000 later) cost every request about a tenth of ingest's CPU time, measured in the
    running service against a capacity of 0 and against keys only."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()

    def seen(self, source: str, delivery_id: str) -> bool:
        """True if the delivery was remembered and not yet forgotten (it becomes the newest)."""
        key = _key(source, delivery_id)
        if key not in self._keys:
            return False
        self._keys.move_to_end(key)
        return True

    def remember(self, source: str, delivery_id: str) -> None:
        if self._capacity == 0:
            return
        key = _key(source, delivery_id)
        self._keys[key] = None
        self._keys.move_to_end(key)
        if len(self._keys) > self._capacity:
            self._keys.popitem(last=False)

    def __len__(self) -> int:
        return len(self._keys)


def _key(source: str, delivery_id: str) -> str:
    return f"{source}\x1f{delivery_id}"  # unambiguous: no provider name holds \x1f
