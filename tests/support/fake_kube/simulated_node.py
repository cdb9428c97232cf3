"""``SimulatedNode``: a kubelet that runs no process. Every pod created on a ``FakeKube`` moves
Pending -> Running -> Succeeded through the fake's own control functions: each init container
runs and exits 0, then each main container runs, writes a few log lines and exits 0.

For load benchmarks (``bench/soak.py``): real processes cost ~0.3 s of CPU per build, far more
than a small machine gives at tens of builds a second, while the services only see the API. A pod
deleted while it is simulated is removed at once (nothing runs to stop).

    async with SimulatedNode(fake, step_seconds=0.1, on_created=seen.append):
        ...  # services create pods through fake.url; each succeeds on its own
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType

from tests.support.fake_kube.control import FakeKube
from tests.support.fake_kube.errors import KubeError, Obj

Key = tuple[str, str]


class SimulatedNode:
    def __init__(
        self,
        fake: FakeKube,
        *,
        step_seconds: float = 0.1,
        log_lines: int = 3,
        on_created: Callable[[Obj], None] | None = None,
    ) -> None:
        self._fake = fake
        self._step = step_seconds
        self._log_lines = log_lines
        self._on_created = on_created
        self._runs: dict[Key, asyncio.Task[None]] = {}

    @property
    def running(self) -> int:
        """Pods being simulated now."""
        return len(self._runs)

    async def __aenter__(self) -> SimulatedNode:
        if self._fake.store.node is not None:
            raise RuntimeError("this fake API server has a node already")
        self._fake.store.node = self
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._fake.store.node = None
        for task in self._runs.values():
            task.cancel()
        await asyncio.gather(*self._runs.values(), return_exceptions=True)

    # ---------------------------------------------------------------- called by the store
    def pod_created(self, namespace: str, name: str) -> None:
        if self._on_created is not None:
            self._on_created(self._fake.store.record(namespace, name).obj)
        key = (namespace, name)
        task = asyncio.create_task(self._simulate(key), name=f"simulated pod {namespace}/{name}")
        self._runs[key] = task
        task.add_done_callback(lambda _: self._runs.pop(key, None))

    def pod_deleting(self, namespace: str, name: str, grace_seconds: int) -> bool:
        task = self._runs.pop((namespace, name), None)
        if task is not None:
            task.cancel()
        return False  # nothing to stop: the store removes the pod at once

    # ---------------------------------------------------------------- the simulation
    async def _simulate(self, key: Key) -> None:
        with contextlib.suppress(KubeError):  # deleted meanwhile: nobody reads it any more
            spec = self._fake.pod(*key)["spec"]
            for container in spec.get("initContainers") or []:
                await asyncio.sleep(self._step)
                self._fake.start_container(*key, container["name"])
                self._fake.finish_container(*key, container["name"], 0)
            for container in spec["containers"]:
                await asyncio.sleep(self._step)
                await self._run_container(key, container["name"])

    async def _run_container(self, key: Key, name: str) -> None:
        self._fake.start_container(*key, name)
        for line in range(1, self._log_lines + 1):
            self._fake.append_log(*key, name, f"simulated {key[1]}: line {line}\n")
        await asyncio.sleep(self._step)
        self._fake.finish_container(*key, name, 0)
