"""When each build pod was created in the fake Kubernetes API, and a stand-in for the watcher.

The fake calls ``store.changed`` synchronously right after it commits a change, inside the
request that made it: :class:`PodClock` stamps the time there, keyed by the resourceVersion the
change produced, and reads the change itself from the fake's event feed (the one watches read).
So a pod's creation time is taken the moment the fake commits the ``POST``, not whenever the
bench's event loop gets round to it.

The stand-in for the watcher ends every build ``build_seconds`` after its pod appeared, in the real
watcher's order: release the build's lock (``release_build``, on the same etcd), publish
``build.finished``, delete the pod. The scheduler thus handles a ``build.finished`` for every
``build.requested``, as it does in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aftomato.common.bus import Bus
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.release import release_build
from aftomato.common.messages import BuildFinished
from aftomato.common.states import BuildState
from tests.support.fake_kube import FakeKube, KubeError
from tests.support.fake_kube.validation import Cause, SchemaCheck

BUILD_ID = "aftomato.io/build-id"


class WarmUpSchemaCheck(SchemaCheck):
    """The fake's strict schema check while ``strict`` (the warm-up round), then none.

    It costs the bench process a few ms of CPU a pod, on the two cores the scheduler needs;
    a real API server spends that on its own machine. The warm-up still checks the manifests.
    """

    def __init__(self, kube_version: str | None = None) -> None:
        super().__init__(kube_version)
        self.strict = True
        self.checked = 0

    def problems(self, obj: dict[str, Any]) -> list[Cause]:
        if not self.strict:
            return []
        self.checked += 1
        return super().problems(obj)


class PodClock:
    def __init__(
        self,
        fake: FakeKube,
        bus: Bus,
        store: CoordinationStore,
        keys: BuildKeys,
        build_seconds: float,
    ) -> None:
        self.created: dict[str, float] = {}
        """``time.perf_counter()`` when each build's pod was created, by build id."""
        self.failures: list[BaseException] = []
        self._fake, self._bus, self._store, self._keys = fake, bus, store, keys
        self._build_seconds = build_seconds
        self._stamps: dict[int, float] = {}
        self._ending: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self.schema = WarmUpSchemaCheck(fake.schema.kube_version)
        fake.store.schema = self.schema
        woken = fake.store.changed

        def stamp() -> None:
            self._stamps[fake.store.resource_version] = time.perf_counter()
            woken()

        fake.store.changed = stamp

    @property
    def running(self) -> int:
        """Builds whose pod exists and that the stand-in has not ended yet."""
        return len(self._ending)

    async def __aenter__(self) -> PodClock:
        self._task = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for task in list(self._ending):
            task.cancel()
        await asyncio.gather(*self._ending, return_exceptions=True)

    async def _follow(self) -> None:
        with self._fake.store.fanout.subscribe() as feed:
            async for event in feed:
                at = self._stamps.pop(event.resource_version, None)
                if event.type != "ADDED" or event.obj is None or at is None:
                    continue
                build_id = event.obj["metadata"]["labels"][BUILD_ID]
                self.created.setdefault(build_id, at)
                task = asyncio.create_task(self._end(event.obj))
                self._ending.add(task)
                task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._ending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.failures.append(task.exception() or RuntimeError("unknown"))

    async def _end(self, pod: dict[str, Any]) -> None:
        await asyncio.sleep(self._build_seconds)
        metadata = pod["metadata"]
        build_id, notes = metadata["labels"][BUILD_ID], metadata["annotations"]
        await release_build(self._store, self._keys, build_id)
        await self._bus.publish(
            BuildFinished(
                build_id=build_id,
                project_key=notes["aftomato.io/project-key"],
                branch=notes["aftomato.io/branch"],
                state=BuildState.SUCCEEDED,
                exit_code=0,
            )
        )
        with contextlib.suppress(KubeError):  # gone already
            self._fake.store.delete(metadata["namespace"], metadata["name"])
