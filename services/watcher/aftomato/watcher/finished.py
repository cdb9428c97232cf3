"""The builds this watcher finished lately, so it need not ask the build store about them again.

After finishing a build the watcher sees its pod once more (deleted, or kept for debugging) and
hears its own ``build.finished``; the record is final by then and no write could change it, so
those sights and that message cost no read. Bounded: the oldest are forgotten, and a forgotten
build costs one read again, as after a restart.
"""

from __future__ import annotations

from collections import OrderedDict

from aftomato.common.states import BuildState

REMEMBERED = 10_000


class RecentlyFinished:
    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._states: OrderedDict[str, BuildState] = OrderedDict()

    def add(self, build_id: str, state: BuildState) -> None:
        """``build_id``'s record is final in ``state``, its console log stored."""
        self._states[build_id] = state
        self._states.move_to_end(build_id)
        while len(self._states) > self._size:
            self._states.popitem(last=False)

    def state(self, build_id: str) -> BuildState | None:
        return self._states.get(build_id)

    def __len__(self) -> int:
        return len(self._states)
