"""What the watcher does with each sight of a build pod: record progress, or finish the build.

Finishing is idempotent, so two watchers (or one that restarted) may both do it: the console log
is stored (the same bytes again), the record written (a final state never moves), the lock
released (only while this build holds it), ``build.finished`` published (consumers are
idempotent), and only then the pod deleted, so a log is never lost with its pod.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aftomato.common.blobs.store import BlobStore
from aftomato.common.bus import Bus
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.coordination.release import release_build
from aftomato.common.logging import bind_ids, get_logger
from aftomato.common.messages import BuildFinished, BuildStarted
from aftomato.common.records.model import BuildRecord, RecordUpdate
from aftomato.common.records.store import BuildStore
from aftomato.common.states import BuildState
from aftomato.watcher.applied import AppliedUpdates
from aftomato.watcher.console_logs import store_console_log, store_log_chunks
from aftomato.watcher.finished import RecentlyFinished
from aftomato.watcher.identity import PodIdentity
from aftomato.watcher.pod_facts import read_pod, still_stopping
from aftomato.watcher.pod_source import Pod, PodSource
from aftomato.watcher.pod_states import Observation, observe
from aftomato.watcher.stopping_logs import StoppingLogs

log = get_logger(__name__)

FINISHING_AT_ONCE = 32
"""Builds finished at once (log copied, record, lock, message, pod): a watcher that starts to a
thousand ended pods, or falls behind, keeps its memory and its requests in flight bounded."""


@dataclass
class Tracker:
    source: PodSource
    records: BuildStore
    logs: BlobStore
    artifacts: BlobStore
    coordination: CoordinationStore
    keys: BuildKeys
    bus: Bus
    clock: Callable[[], datetime]
    pending_timeout: timedelta
    keep_failed: timedelta = timedelta(0)
    finished: RecentlyFinished = field(default_factory=RecentlyFinished)
    applied: AppliedUpdates = field(default_factory=AppliedUpdates)
    stopping: StoppingLogs = field(init=False)
    _announced: set[str] = field(default_factory=set)
    _finishing: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _finishing_at_once: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(FINISHING_AT_ONCE)
    )

    def __post_init__(self) -> None:
        self.stopping = StoppingLogs(self.source)

    async def saw(self, pod: Pod, *, deleted: bool = False) -> None:
        """One sight of a pod (listed or watched; ``deleted``: its last): record it, and finish
        it once it ended."""
        identity = PodIdentity.of(pod)
        if identity is None:
            return
        seen = observe(pod, now=self.clock(), pending_timeout=self.pending_timeout)
        with bind_ids(build_id=identity.build_id):
            if not seen.final:
                await self._progress(identity, seen)
            elif not deleted and still_stopping(read_pod(pod)):
                # A log read now would be cut, and once the container ends the pod may be gone
                # at once: follow the log to its end from now on, finish at the next sight.
                self.stopping.follow(identity.pod_name)
                return
            elif self.finished.state(identity.build_id) is not None or (
                self._may_have_finished(seen, deleted) and await self._finished_before(identity)
            ):
                if not deleted:
                    await self._collect(identity, seen, pod)
                await self.stopping.discard(identity.pod_name)  # finished elsewhere, or before
            elif identity.pod_name not in self._finishing:
                # not the pod: a backlog of builds being finished keeps only what they need
                task = asyncio.create_task(self._finish(identity, seen))
                self._finishing[identity.pod_name] = task
                task.add_done_callback(lambda _: self._finishing.pop(identity.pod_name, None))

    async def drain(self) -> None:
        """Let the builds being finished finish (on shutdown)."""
        if self._finishing:
            await asyncio.gather(*self._finishing.values(), return_exceptions=True)
        await self.stopping.close()

    async def abandon(self) -> None:
        """Stop finishing builds at once (the process is killed): the next watcher finishes them.
        Returns once they stopped, so none outlives the clients it uses."""
        abandoned = list(self._finishing.values())
        for task in abandoned:
            task.cancel()
        await asyncio.gather(*abandoned, return_exceptions=True)
        await self.stopping.close()

    def _may_have_finished(self, seen: Observation, deleted: bool) -> bool:
        """Whether an ended pod may be one whose build was finished already: a pod is deleted
        once finished unless kept for debugging. Finishing again costs more than a read, but is
        harmless (it is idempotent), so a pod that may not be kept is finished without one."""
        kept = self.keep_failed > timedelta(0) and seen.state is not BuildState.SUCCEEDED
        return deleted or kept

    async def _finished_before(self, identity: PodIdentity) -> bool:
        """The build was finished already (its pod kept for debugging, or seen again)."""
        record = await self.records.get(identity.build_id)
        if record is None or not record.state.is_final or record.log_location is None:
            return False
        self.finished.add(identity.build_id, record.state)
        return True

    async def _collect(self, identity: PodIdentity, seen: Observation, pod: Pod) -> None:
        """Delete a kept pod once its time for debugging is over (unless it is going already)."""
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            return
        ended = seen.finished_at or self.clock()
        if self.clock() - ended >= self.keep_failed:
            await self.source.delete(identity.pod_name)

    async def _progress(self, identity: PodIdentity, seen: Observation) -> None:
        update = self._update(identity, seen)
        if self.applied.redundant(update):
            return  # a sight like the last one: the record has it, build.started went with it
        record = await self.records.apply(update)
        started = record.state is BuildState.RUNNING and identity.build_id not in self._announced
        if started and seen.state is BuildState.RUNNING:
            await self.bus.publish(
                BuildStarted(
                    build_id=identity.build_id,
                    project_key=identity.project_key,
                    branch=identity.branch,
                    pod_name=identity.pod_name,
                    started_at=seen.started_at or self.clock(),
                )
            )
            self._announced.add(identity.build_id)
        self.applied.add(update)  # only now: a failed publish is tried again at the next sight

    async def _finish(self, identity: PodIdentity, seen: Observation) -> None:
        with bind_ids(build_id=identity.build_id):
            try:
                async with self._finishing_at_once:
                    record = await self._record_final(identity, seen)
                    if record.log_location is not None and record.state.is_final:
                        self.finished.add(identity.build_id, record.state)
                    await release_build(self.coordination, self.keys, identity.build_id)
                    await self.bus.publish(_finished(identity, record))
                    self._announced.discard(identity.build_id)
                    if not self._keep(record):
                        await self.source.delete(identity.pod_name)
                log.info("build finished", state=record.state.value, reason=record.reason)
            except Exception:
                log.exception("finishing the build failed; the next sight of its pod retries")

    async def _record_final(self, identity: PodIdentity, seen: Observation) -> BuildRecord:
        update = self._update(identity, seen)
        try:
            location = await self._store_log(identity)
            update = update.model_copy(update={"log_location": location})
        except Exception as error:  # the record must still end: say the log is missing
            log.warning("console log not stored", error=repr(error))
            reason = f"{seen.reason or seen.state.value} (console log unavailable: {error})"
            update = update.model_copy(update={"reason": reason[:4000]})
        record = await self.records.apply(update)
        self.applied.add(update)  # a final one: the build is no longer kept there
        return record

    async def _store_log(self, identity: PodIdentity) -> str:
        """The log followed while the pod stopped if that reached its end; else the pod's log
        read now; else (the pod is gone) what the follow caught, rather than nothing."""
        capture = await self.stopping.take(identity.pod_name)
        if capture is None:
            return await store_console_log(
                self.source, self.logs, identity.pod_name, identity.build_id
            )
        with contextlib.closing(capture):
            if not capture.whole:
                try:
                    return await store_console_log(
                        self.source, self.logs, identity.pod_name, identity.build_id
                    )
                except Exception as error:
                    log.warning("keeping the part of the log followed", error=repr(error))
            return await store_log_chunks(self.logs, identity.build_id, capture.chunks())

    def _update(self, identity: PodIdentity, seen: Observation) -> RecordUpdate:
        return RecordUpdate(
            build_id=identity.build_id,
            project_key=identity.project_key,
            branch=identity.branch,
            state=seen.state,
            reason=seen.reason,
            exit_code=seen.exit_code,
            started_at=seen.started_at,
            # A pod deleted mid-build has no container end time: its end is when it was seen.
            finished_at=(seen.finished_at or self.clock()) if seen.final else None,
            pod_name=identity.pod_name,
            artifacts_location=self.artifacts.location(f"{identity.build_id}/"),
            occurred_at=self.clock(),
        )

    def _keep(self, record: BuildRecord) -> bool:
        return record.state is not BuildState.SUCCEEDED and self.keep_failed > timedelta(0)


def _finished(identity: PodIdentity, record: BuildRecord) -> BuildFinished:
    state = record.state if record.state.is_final else BuildState.ERRORED
    return BuildFinished(
        build_id=identity.build_id,
        project_key=identity.project_key,
        branch=identity.branch,
        state=state,
        reason=record.reason,
        exit_code=record.exit_code,
        finished_at=record.finished_at or datetime.now(record.requested_at.tzinfo),
    )
