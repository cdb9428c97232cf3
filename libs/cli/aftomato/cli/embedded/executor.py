"""The local executor: build pods as local processes, for ``aftomato up``.

One object plays the three parts Kubernetes plays for the services: the scheduler's
:class:`~aftomato.scheduler.pods.BuildPods` (create from the manifest, cancel, withdraw, list), the
watcher's :class:`~aftomato.watcher.pod_source.PodSource` (list, watch, log, delete, pods as the
API's dicts) and the api's :class:`~aftomato.api.live_logs.LiveLogs` (follow a running build's
log). A created pod runs the build-container entrypoint in folders of its own (:mod:`.local_run`)
and reports its progress as a kubelet would (:mod:`.pod_status`), so the watcher's pure mapping
reads it unchanged. A pod's folders stay until the watcher deletes the pod, after it has kept
the log; :meth:`close` removes whatever is left.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftomato.cli.embedded import local_run, pod_status
from aftomato.cli.embedded.local_run import BuildFolders
from aftomato.cli.embedded.pod_status import BUILD_CONTAINER, SCRIPTS_CONTAINER
from aftomato.cli.embedded.pod_table import PodTable
from aftomato.common.blobs.store import CHUNK_BYTES, BlobStore
from aftomato.common.logging import bind_ids, get_logger
from aftomato.common.records.model import BuildRecord
from aftomato.scheduler.pods import CANCELLED_ANNOTATION, ENDED_PHASES
from aftomato.watcher.pod_source import Pod, PodEvent

log = get_logger(__name__)

ENTRYPOINT_FAILED = 122
FOLLOW_POLL_SECONDS = 0.1
DEFAULT_DELETE_GRACE = 15
NO_SIDECARS = "aftomato up runs no sidecars: build this project on Kubernetes"


@dataclass
class _Run:
    folders: BuildFolders
    task: asyncio.Task[None] | None = None
    process: asyncio.subprocess.Process | None = None
    stopping: bool = False
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class LocalExecutor:
    name = "local executor"

    def __init__(self, work_dir: Path, scripts: Callable[[], Path], artifacts: BlobStore) -> None:
        self._work_dir = work_dir
        self._scripts = scripts
        self._artifacts = artifacts
        self._table = PodTable()
        self._runs: dict[str, _Run] = {}

    # -- BuildPods (scheduler)

    async def create(self, manifest: dict[str, Any]) -> bool:
        name = manifest["metadata"]["name"]
        if name in self._runs:
            return False  # created before: pod names derive from build ids
        run = _Run(BuildFolders.under(self._work_dir / name))
        self._runs[name] = run
        await self._table.put(pod_status.pending(manifest))
        run.task = asyncio.create_task(self._run(name, run), name=f"build {name}")
        return True

    async def cancel(self, name: str, reason: str, grace_seconds: int) -> bool:
        pod = self._table.get(name)
        if pod is None:
            return False
        await self._table.put(pod_status.marked_deleted(pod, {CANCELLED_ANNOTATION: reason}))
        await self._stop(name, grace_seconds)
        await self._table.remove(name)
        return True

    async def withdraw(self, name: str, reason: str) -> bool:
        pod = self._table.get(name)
        if pod is None or pod["status"].get("phase") in ENDED_PHASES:
            return False
        return await self.cancel(name, reason, 0)

    async def existing(self) -> set[str]:
        return set(self._table.names())

    # -- PodSource (watcher)

    async def list(self) -> tuple[list[Pod], str]:
        return self._table.list()

    def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        return self._table.watch(resource_version, seconds)

    async def log(self, name: str, *, follow: bool = False) -> AsyncGenerator[bytes, None]:
        run = self._runs.get(name)
        if run is None:
            raise LookupError(f"no build pod {name!r} (its log is gone with it)")
        async for chunk in _read_log(run, follow=follow):
            yield chunk

    async def delete(self, name: str) -> None:
        pod = self._table.get(name)
        if pod is not None:
            await self._table.put(pod_status.marked_deleted(pod))
            await self._stop(name, _grace(pod))
            await self._table.remove(name)
        run = self._runs.pop(name, None)
        if run is not None:
            await local_run.remove(run.folders)

    # -- LiveLogs (api)

    async def follow(self, build: BuildRecord) -> AsyncIterator[bytes]:
        run = None if build.pod_name is None else self._runs.get(build.pod_name)
        if run is None or not run.folders.log.exists():
            return
        async for chunk in _read_log(run, follow=True):
            yield chunk

    # -- a component of ``aftomato up``

    def ready(self) -> bool:
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        await stopping.wait()

    async def cancel_all(self, reason: str) -> builtins.list[Pod]:
        """Cancel every build still running; their last sight, for the watcher to record."""
        names = [name for name in self._table.names() if not self._runs[name].ended.is_set()]
        last: builtins.list[Pod] = []
        for name in names:
            pod = self._table.get(name)
            if pod is None:
                continue
            await self._table.put(pod_status.marked_deleted(pod, {CANCELLED_ANNOTATION: reason}))
            await self._stop(name, _grace(pod))
            last.extend(filter(None, [self._table.get(name)]))
        return last

    async def close(self) -> None:
        """Stop what still runs and remove every build's folders."""
        for name in list(self._runs):
            await self._stop(name, 0)
            await local_run.remove(self._runs.pop(name).folders)

    # -- one build

    async def _stop(self, name: str, grace_seconds: float) -> None:
        run = self._runs.get(name)
        if run is None or run.task is None:
            return
        run.stopping = True
        if run.process is not None:
            await local_run.stop(run.process, grace_seconds)
        with contextlib.suppress(asyncio.CancelledError):
            await run.task

    async def _run(self, name: str, run: _Run) -> None:
        pod = self._table.get(name) or {}
        build_id = pod.get("metadata", {}).get("labels", {}).get("aftomato.io/build-id")
        with bind_ids(build_id=build_id):
            try:
                await self._steps(name, run, pod, build_id or name)
            except Exception as error:
                log.exception("the local executor failed to run the build")
                message = f"the local executor failed: {error!r}"
                await self._update(name, BUILD_CONTAINER, pod_status.terminated(122, None, message))
            finally:
                run.ended.set()

    async def _steps(self, name: str, run: _Run, pod: Pod, build_id: str) -> None:
        if sidecars := pod_status.sidecars(pod):  # the build would wait for them in vain
            await local_run.append_log(run.folders, f"[aftomato] {NO_SIDECARS}\n")
            await self._update(name, sidecars[0], pod_status.cannot_create(NO_SIDECARS))
            return
        try:
            await local_run.copy_scripts(self._scripts(), run.folders)
        except OSError as error:
            message = f"copying the build scripts failed: {error}"
            await self._update(name, SCRIPTS_CONTAINER, pod_status.terminated(1, None, message))
            return
        await self._update(name, SCRIPTS_CONTAINER, pod_status.terminated(0))
        if run.stopping:
            return
        environment = local_run.entrypoint_environment(
            pod_status.build_environment(pod), run.folders
        )
        run.process = await local_run.start_entrypoint(environment, run.folders)
        await self._update(name, BUILD_CONTAINER, pod_status.running())
        started = pod_status.started_at(self._table.get(name) or pod, BUILD_CONTAINER)
        code = await self._wait(name, run, pod)
        if not run.stopping:
            code = await self._keep_artifacts(run, build_id, code)
        await self._update(name, BUILD_CONTAINER, pod_status.terminated(code, started))

    async def _wait(self, name: str, run: _Run, pod: Pod) -> int:
        """The entrypoint's exit code; past the pod's deadline it is stopped."""
        assert run.process is not None
        deadline = pod_status.deadline_seconds(pod)
        if run.stopping:  # cancelled while the process was starting
            return await local_run.stop(run.process, DEFAULT_DELETE_GRACE)
        try:
            async with asyncio.timeout(deadline):
                return local_run.exit_code(await run.process.wait())
        except TimeoutError:
            run.stopping = True
            current = self._table.get(name)
            if current is not None and deadline is not None:
                await self._table.put(pod_status.deadline_exceeded(current, deadline))
            return await local_run.stop(run.process, _grace(pod))

    async def _keep_artifacts(self, run: _Run, build_id: str, code: int) -> int:
        try:
            note = await local_run.keep_artifacts(run.folders, build_id, self._artifacts)
        except Exception as error:
            log.warning("artifacts not kept", error=repr(error))
            note = f"[aftomato] ARTIFACTS NOT KEPT: {error}\n"
            code = local_run.UPLOAD_FAILED if code == 0 else code
        await local_run.append_log(run.folders, note)
        return code

    async def _update(self, name: str, container: str, state: dict[str, Any]) -> None:
        pod = self._table.get(name)
        if pod is not None:
            await self._table.put(pod_status.with_container_state(pod, container, state))


def _grace(pod: Pod) -> float:
    """The pod's ``terminationGracePeriodSeconds``: SIGTERM, this long, then SIGKILL."""
    grace = pod.get("spec", {}).get("terminationGracePeriodSeconds")
    return float(grace) if isinstance(grace, int) else DEFAULT_DELETE_GRACE


async def _read_log(run: _Run, *, follow: bool) -> AsyncIterator[bytes]:
    """The build's console log; ``follow``: and what it writes until the build has ended."""
    with run.folders.log.open("rb") as console:
        while True:
            ended = run.ended.is_set()  # read before the file: nothing written after is lost
            chunk = await asyncio.to_thread(console.read, CHUNK_BYTES)
            if chunk:
                yield chunk
            elif ended or not follow:
                return
            else:
                await asyncio.sleep(FOLLOW_POLL_SECONDS)
