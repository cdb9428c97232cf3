"""A scheduler under test: real (or in-process) bus and store, the fake Kubernetes API, and a
stand-in for the watcher that ends each build pod after a moment, as the real watcher would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kubernetes_asyncio.client import CoreV1Api
from prometheus_client import CollectorRegistry

from aftomato.common.bus import Bus
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys, branch_key
from aftomato.common.coordination.release import release_build
from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildFinished, BuildRequested, Source
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.settings import AwsSettings, ScriptsSettings
from aftomato.common.states import BuildState
from aftomato.scheduler.kube_pods import KubePods
from aftomato.scheduler.pod_settings import PodContext, PodSettings
from aftomato.scheduler.service import SchedulerParts, compose_scheduler
from aftomato.scheduler.settings import SchedulerSettings
from tests.support.fake_kube import FakeKube, api_client
from tests.support.waiting import eventually

NAMESPACE = "aftomato-builds"
PROJECTS = {
    "team/queue-app": "concurrency: queue\n",
    "team/supersede-app": "concurrency: supersede\n",
    "team/cancel-app": "concurrency: cancel-previous\n",
    "team/main-only": "branches: main\n",
    "team/broken": "concurrency: sometimes\n",
}
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BRANCH = branch_key("team/queue-app", "main")
KEPT_SECONDS = 7 * 86_400
"""How long the ``placement`` and ``finishing`` fixtures keep finished builds' notes."""
RENEW_SECONDS = 3600
"""How long the notes they write meanwhile share one lease."""


def write_build_scripts(root: Path) -> Path:
    for key, config in PROJECTS.items():
        folder = root / key
        folder.mkdir(parents=True)
        (folder / "build.sh").write_text("echo building\n")
        (folder / "aftomato.yaml").write_text(config)
    return root


def request(project: str, branch: str = "main", number: int = 0) -> BuildRequested:
    """The ``number``-th request of a burst: later numbers were requested later."""
    delivery = f"delivery-{number}"
    return BuildRequested(
        build_id=derived_build_id("generic", delivery, project, branch),
        project_key=project,
        branch=branch,
        source=Source.GENERIC,
        delivery_id=delivery,
        requested_at=START + timedelta(milliseconds=number),
    )


@dataclass
class Harness:
    bus: Bus
    store: CoordinationStore
    fake: FakeKube
    scripts_root: Path
    keys: BuildKeys
    amqp_url: str = ""
    settings: SchedulerSettings = field(default_factory=SchedulerSettings)

    async def scripts(self) -> ScriptsReader:
        repository = ScriptsRepository(str(self.scripts_root), "main", self.scripts_root.parent)
        reader = ScriptsReader(repository)
        await reader.refresh()
        return reader

    def pod_context(self) -> PodContext:
        return PodContext(
            pod=PodSettings(),
            scripts=ScriptsSettings(repo="https://git.example.invalid/build-scripts.git"),
            aws=AwsSettings(),
            namespace=NAMESPACE,
        )

    @contextlib.asynccontextmanager
    async def scheduler(
        self, bus: Bus | None = None, *, abrupt: bool = False
    ) -> AsyncIterator[SchedulerParts]:
        """A running scheduler; leaving the block stops it as SIGTERM would (draining), or
        ``abrupt``ly, as SIGKILL would: its tasks die and its connection drops mid-work."""
        async with api_client(self.fake.url) as client:
            parts = compose_scheduler(
                bus=bus or self.bus,
                store=self.store,
                pods=KubePods(CoreV1Api(client), NAMESPACE),
                scripts=await self.scripts(),
                pod_context=self.pod_context(),
                settings=self.settings,
                keys=self.keys,
                registry=CollectorRegistry(),
                scripts_poll_seconds=60,
            )
            stopping = asyncio.Event()
            tasks = [asyncio.create_task(c.run(stopping)) for c in parts.components]
            try:
                await eventually(
                    lambda: all(c.ready() for c in parts.components), what="the scheduler"
                )
                yield parts
            finally:
                if abrupt:
                    for task in tasks:
                        task.cancel()
                    await (bus or self.bus).close()
                stopping.set()
                await asyncio.gather(*tasks, return_exceptions=abrupt)


class Watcher:
    """Plays the watcher: each build pod runs ``seconds``; then, in the real watcher's order, the
    build's lock is released, ``build.finished`` published, and only then the pod deleted."""

    def __init__(self, harness: Harness, seconds: float = 0.05) -> None:
        self._harness = harness
        self._fake = harness.fake
        self._bus = harness.bus
        self._seconds = seconds
        self.finished: list[str] = []
        self._seen: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self.running = asyncio.Event()
        self.running.set()

    def hold(self) -> None:
        """Builds keep running until :meth:`release` (to let a burst arrive meanwhile)."""
        self.running.clear()

    def release(self) -> None:
        self.running.set()

    async def __aenter__(self) -> Watcher:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        async with api_client(self._fake.url) as client:
            api = CoreV1Api(client)
            while True:
                for pod in self._fake.pods(NAMESPACE):
                    name = pod["metadata"]["name"]
                    if name not in self._seen:
                        self._seen.add(name)
                        asyncio.create_task(self._finish(api, pod))  # noqa: RUF006 - ends itself
                await asyncio.sleep(0.01)

    async def _finish(self, api: CoreV1Api, pod: dict[str, Any]) -> None:
        await asyncio.sleep(self._seconds)
        await self.running.wait()
        labels, notes = pod["metadata"]["labels"], pod["metadata"]["annotations"]
        build_id = labels["aftomato.io/build-id"]
        self._fake.set_phase(NAMESPACE, pod["metadata"]["name"], "Succeeded")
        await release_build(self._harness.store, self._harness.keys, build_id)
        await self._bus.publish(
            BuildFinished(
                build_id=build_id,
                project_key=notes["aftomato.io/project-key"],
                branch=notes["aftomato.io/branch"],
                state=BuildState.SUCCEEDED,
                exit_code=0,
            )
        )
        await api.delete_namespaced_pod(pod["metadata"]["name"], NAMESPACE)
        self.finished.append(build_id)


ENDED_PHASES = ("Succeeded", "Failed")


def pod_history(fake: FakeKube) -> list[tuple[str, str, str]]:
    """(ADDED or ENDED, build id, branch key) for every pod, in the API server's order.

    A pod is alive from its creation until it reaches a final phase or is deleted.
    """
    history = []
    for event in fake.store.history.since(0):
        pod = event.obj or event.prev or {}
        phase = pod.get("status", {}).get("phase")
        kind = "ENDED" if event.type == "DELETED" or phase in ENDED_PHASES else event.type
        if kind in ("ADDED", "ENDED"):
            metadata = pod.get("metadata", {})
            notes = metadata.get("annotations", {})
            branch = f"{notes.get('aftomato.io/project-key')}@{notes.get('aftomato.io/branch')}"
            history.append((kind, metadata["labels"]["aftomato.io/build-id"], branch))
    return history


def most_alive(history: list[tuple[str, str, str]], group: Callable[[str], str]) -> int:
    """The most pods alive at once within one group (by branch, or all together)."""
    alive: dict[str, set[str]] = {}
    most = 0
    for kind, build_id, branch in history:
        members = alive.setdefault(group(branch), set())
        if kind == "ADDED":
            members.add(build_id)
        else:
            members.discard(build_id)
        most = max(most, len(members))
    return most


def started_order(history: list[tuple[str, str, str]]) -> list[str]:
    return [build_id for kind, build_id, _ in history if kind == "ADDED"]
