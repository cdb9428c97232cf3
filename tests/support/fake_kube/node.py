"""``Node``: the fake API server's kubelet. It runs every pod created on a ``FakeKube`` as local
processes (``pod_run.py``) and deletes pods the way a cluster does: a deleted pod that still runs
is marked terminating (``deletionTimestamp``), its containers get SIGTERM, then SIGKILL once the
grace period (the request's ``gracePeriodSeconds``, else the pod's
``terminationGracePeriodSeconds``) has passed, are reported terminated, and only then is the pod
removed. Without a node the fake stays as it was: pods wait for the test, deletion is at once.

    async with Node(fake, tmp_path / "node", image=LocalImage({"python3": sys.executable})):
        ...  # services create pods through fake.url; the node runs them
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.support.fake_kube.containers import LocalImage, Secrets
from tests.support.fake_kube.control import FakeKube
from tests.support.fake_kube.errors import KubeError
from tests.support.fake_kube.pod_run import PodRun, Runtime

Key = tuple[str, str]


class Node:
    def __init__(
        self,
        fake: FakeKube,
        root: Path,
        *,
        image: LocalImage | None = None,
        secrets: Secrets | None = None,
    ) -> None:
        self._fake = fake
        self._runtime = Runtime(root, image or LocalImage(), secrets or {})
        self._runs: dict[Key, PodRun] = {}
        self._chores: set[asyncio.Task[None]] = set()

    @property
    def runs(self) -> Mapping[Key, PodRun]:
        """The pods on this node that have not been removed yet."""
        return self._runs

    async def __aenter__(self) -> Node:
        if self._fake.store.node is not None:
            raise RuntimeError("this fake API server has a node already")
        self._fake.store.node = self
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Detach; kill what still runs at once (the test is over), and wait for the chores."""
        self._fake.store.node = None
        await asyncio.gather(*(run.stop(0) for run in self._runs.values()))
        await asyncio.gather(*self._chores, return_exceptions=True)
        await asyncio.to_thread(shutil.rmtree, self._runtime.root, ignore_errors=True)

    # ---------------------------------------------------------------- called by the store
    def pod_created(self, namespace: str, name: str) -> None:
        self._runs[namespace, name] = PodRun(self._fake, namespace, name, self._runtime)

    def pod_deleting(self, namespace: str, name: str, grace_seconds: int) -> bool:
        run = self._runs.get((namespace, name))
        if run is None:
            return False
        if run.task.done():
            self._chore(self._forget((namespace, name)))
            return False
        self._chore(self._terminate((namespace, name), run, grace_seconds))
        return True

    # ---------------------------------------------------------------- the work
    def _chore(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _terminate(self, key: Key, run: PodRun, grace_seconds: int) -> None:
        await run.stop(grace_seconds)
        with contextlib.suppress(KubeError):  # removed already (the fake is stopping)
            self._fake.store.remove(*key)
        await self._forget(key)

    async def _forget(self, key: Key) -> None:
        run = self._runs.pop(key, None)
        if run is not None:
            await asyncio.to_thread(shutil.rmtree, run.folder, ignore_errors=True)
