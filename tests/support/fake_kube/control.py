"""``FakeKube``: the fake API server and the levers a test pulls on it.

A test starts one (or takes the ``fake_kube`` fixture), points its code at ``fake.url``, and plays
kubelet and cluster through the methods here: report container states and phases, write logs,
compact the history, cut watches, plan failures, and read counters and the request log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from tests.support.fake_kube import kubelet, strategy
from tests.support.fake_kube.errors import Obj
from tests.support.fake_kube.faults import Fault, Faults, RequestRecord
from tests.support.fake_kube.history import Cut
from tests.support.fake_kube.logs import ContainerLog
from tests.support.fake_kube.patch import merge_patch
from tests.support.fake_kube.selectors import PodFilter
from tests.support.fake_kube.server import build_app, serve
from tests.support.fake_kube.store import Counters, PodStore
from tests.support.fake_kube.trees import copy_tree
from tests.support.fake_kube.validation import SchemaCheck


class FakeKube:
    """An in-process Kubernetes API server for core v1 pods, on a random loopback port."""

    def __init__(self, *, kube_version: str | None = None, history_limit: int = 1000) -> None:
        self.schema = SchemaCheck(kube_version)
        self.store = PodStore(self.schema, history_limit)
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.store.changed = self._wake

    async def start(self) -> str:
        """Start serving; returns the base URL (also in ``url``)."""
        self.schema.warm()
        app = build_app(self.store, self.faults, self.requests)
        self._runner, self.url = await serve(app)
        return self.url

    async def stop(self) -> None:
        """End every watch and followed log, then stop serving."""
        self.store.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeKube:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ what is there
    @property
    def counters(self) -> Counters:
        return self.store.counters

    @property
    def resource_version(self) -> int:
        return self.store.resource_version

    def pods(self, namespace: str | None = None) -> list[Obj]:
        """Copies of the stored pods (of one namespace, or all), ordered by namespace and name."""
        return copy_tree(self.store.matching(PodFilter(namespace)))

    def pod(self, namespace: str, name: str) -> Obj:
        """A copy of one stored pod; ``KubeError`` (404) if there is none."""
        return copy_tree(self.store.record(namespace, name).obj)

    @property
    def open_watches(self) -> int:
        return len(self.store.fanout)

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Return once ``predicate()`` holds: checked after every pod change and every 10 ms.

        Bound it with ``asyncio.timeout``."""
        while not predicate():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.01):
                    await self._changed.wait()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ playing kubelet
    def update_status(self, namespace: str, name: str, status: Obj) -> Obj:
        """Merge ``status`` into the pod's status: validated, MODIFIED to watchers if it changed."""
        return self.store.update(
            namespace,
            name,
            lambda old: strategy.for_status_update(
                old, {"status": merge_patch(old.get("status"), status)}
            ),
            None,
        )

    def set_phase(
        self,
        namespace: str,
        name: str,
        phase: str,
        *,
        container_statuses: list[Obj] | None = None,
        reason: str | None = None,
        message: str | None = None,
    ) -> Obj:
        change: Obj = {"phase": phase, "reason": reason, "message": message}
        if container_statuses is not None:
            change["containerStatuses"] = container_statuses
        return self.update_status(namespace, name, change)

    def start_container(self, namespace: str, name: str, container: str) -> Obj:
        """The container runs: its status says so, the phase follows, its log opens."""
        return self._container_state(namespace, name, container, kubelet.running())

    def finish_container(
        self,
        namespace: str,
        name: str,
        container: str,
        exit_code: int = 0,
        reason: str | None = None,
    ) -> Obj:
        """The container exits: terminated state, phase Succeeded/Failed when all main ones are
        done, and its log ends (followers stop)."""
        pod = self.store.record(namespace, name).obj
        started = kubelet.started_at(pod, container)
        state = kubelet.terminated(exit_code, reason, started)
        return self._container_state(namespace, name, container, state)

    def _container_state(self, namespace: str, name: str, container: str, state: Obj) -> Obj:
        pod = self.store.record(namespace, name).obj
        status = kubelet.with_container_state(pod, container, state)
        return self.store.update(
            namespace, name, lambda old: strategy.for_status_update(old, {"status": status}), None
        )

    def append_log(self, namespace: str, name: str, container: str, text: str) -> None:
        """Write ``text`` to the container's log (opening it: the container has started)."""
        self._log(namespace, name, container).append(text)

    def finish_log(self, namespace: str, name: str, container: str) -> None:
        """End the container's log: followers get what is left, then the stream ends."""
        self._log(namespace, name, container).finish()

    def _log(self, namespace: str, name: str, container: str) -> ContainerLog:
        record = self.store.record(namespace, name)
        kubelet.find_container(record.obj, container)  # ValueError for an unknown container
        return record.logs.setdefault(container, ContainerLog())

    # ------------------------------------------------------------------ making trouble
    def compact(self) -> None:
        """Forget the event history: watches from any older resourceVersion get 410 Expired."""
        self.store.compact()

    def cut_watches(self, *, abort: bool = False) -> int:
        """End every open watch (cleanly, or by dropping the connection); returns how many."""
        return self.store.cut_watches(Cut.ABORT if abort else Cut.CLEAN)

    def bookmark(self) -> None:
        """Send a BOOKMARK at the current resourceVersion to watches that allow bookmarks."""
        self.store.bookmark()

    def fail_next(
        self,
        method: str = "*",
        path_contains: str = "",
        *,
        status: int = 500,
        times: int = 1,
        message: str = "injected failure",
    ) -> None:
        """The next ``times`` matching requests get an error ``Status`` with ``status``."""
        self.faults.add(Fault(method.upper(), path_contains, status, message, times))
