"""The updates this watcher applied lately, so that one saying nothing new costs no request.

A build's pod is seen many times in the same state (each container starting or ending is a watch
event), the watcher hears its own ``build.started`` back, and ``build.scheduled`` may arrive
after the pod was seen running. Such an update is redundant after one applied before it when it
has a lower state, or the same state and no fact the applied one lacked: once that one was
applied, the record had its state or a higher one, with each of its facts filled, and records
only move forward, so the merge rule (:func:`~aftomato.common.records.model.advance`) changes
nothing for it, however the record moved on since. Only builds in progress are kept, at most
``size``: a forgotten build costs its next update a request again, as after a restart.
"""

from __future__ import annotations

from collections import OrderedDict

from aftomato.common.records.model import FACTS, RecordUpdate
from aftomato.common.states import BuildState, is_forward

REMEMBERED = 10_000

Carried = tuple[BuildState, frozenset[str]]


def carried(update: RecordUpdate) -> Carried:
    """The update's state and the facts it carries (``reason`` among them)."""
    names = (*FACTS, "reason")
    return update.state, frozenset(name for name in names if getattr(update, name) is not None)


def says_nothing_new(update: Carried, applied: Carried) -> bool:
    """Whether ``update`` changes nothing in a record that ``applied`` was merged into."""
    state, facts = update
    applied_state, applied_facts = applied
    return is_forward(state, applied_state) or (state is applied_state and facts <= applied_facts)


class AppliedUpdates:
    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._applied: OrderedDict[str, Carried] = OrderedDict()

    def redundant(self, update: RecordUpdate) -> bool:
        """Applying ``update`` would change nothing, by what this watcher applied before."""
        applied = self._applied.get(update.build_id)
        return applied is not None and says_nothing_new(carried(update), applied)

    def add(self, update: RecordUpdate) -> None:
        """``update`` was applied (the store's write returned). A final one ends what is kept
        of the build: :class:`~.finished.RecentlyFinished` knows finished builds."""
        if update.state.is_final:
            self._applied.pop(update.build_id, None)
            return
        now = carried(update)
        before = self._applied.get(update.build_id)
        if before is not None and is_forward(now[0], before[0]):
            now = before  # the record is past this update's state
        elif before is not None and before[0] is now[0]:
            now = (now[0], now[1] | before[1])  # both were merged: the record has both's facts
        self._applied[update.build_id] = now
        self._applied.move_to_end(update.build_id)
        while len(self._applied) > self._size:
            self._applied.popitem(last=False)

    def __len__(self) -> int:
        return len(self._applied)
