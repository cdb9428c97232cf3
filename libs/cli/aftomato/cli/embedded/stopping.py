"""How ``aftomato up`` stops: running builds cancelled and recorded, waiting ones ended.

In the distributed system a stopping watcher leaves running pods to the next watcher; here the
builds stop with the process, so this component cancels them, hands their last sight to the
watcher's tracker to record (console log kept, ``build.finished`` published), waits for that,
and then ends what was still waiting (:mod:`.leftovers`).
"""

from __future__ import annotations

import asyncio

from aftomato.cli.embedded.executor import LocalExecutor
from aftomato.cli.embedded.leftovers import STOPPED, end_active
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState
from aftomato.watcher.tracker import Tracker

CANCELLED_REASON = "aftomato up was stopped"


class StopBuilds:
    name = "stop builds"

    def __init__(self, executor: LocalExecutor, tracker: Tracker, records: BuildStore) -> None:
        self._executor = executor
        self._tracker = tracker
        self._records = records

    def ready(self) -> bool:
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        for pod in await self._executor.cancel_all(CANCELLED_REASON):
            await self._tracker.saw(pod)
        await self._tracker.drain()
        await end_active(self._records, BuildState.CANCELLED, STOPPED)
