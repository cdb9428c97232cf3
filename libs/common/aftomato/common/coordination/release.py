"""Releasing a build's lock when it ends: what the watcher (and the scheduler) call.

The build's lock, running entry and slot are deleted in one transaction, on condition that the
running entry is the one just read: so a late or repeated release never frees a lock that a newer
build of the branch holds by now. (They hang on a lease shared with other builds, which only
bounds how long they outlive a release that never comes.)
"""

from __future__ import annotations

from aftomato.common.coordination.keys import BuildKeys, RunningBuild
from aftomato.common.coordination.store import (
    Compare,
    CoordinationStore,
    Delete,
    KeyValue,
    Operation,
)

ATTEMPTS = 5
"""Reads of a running entry that changes meanwhile (its pod being marked made) before giving up."""


async def release_build(store: CoordinationStore, keys: BuildKeys, build_id: str) -> bool:
    """Free what ``build_id`` holds; False when it held nothing (released already)."""
    for _ in range(ATTEMPTS):
        found = await store.get(keys.running(build_id))
        if found is None:
            return False
        if await release_running(store, keys, found):
            return True
    return False


async def release_running(store: CoordinationStore, keys: BuildKeys, running: KeyValue) -> bool:
    """Free what the build whose running entry is ``running`` holds, if that entry is unchanged."""
    build = RunningBuild.model_validate_json(running.value)
    doomed: list[Operation] = [Delete(keys.lock(build.branch)), Delete(running.key)]
    if build.slot is not None:
        doomed.append(Delete(keys.slot(build.slot)))
    return await store.transaction([Compare.unchanged(running)], doomed)
