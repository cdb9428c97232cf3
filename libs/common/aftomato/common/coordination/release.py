"""Releasing a build's lock when it ends: what the watcher (and the scheduler) call.

Revoking the build's lease deletes its lock, its running entry and its slot in one step. Only the
lease of this very build is revoked, so a late or repeated release never frees a lock that a newer
build of the branch holds by now.
"""

from __future__ import annotations

from aftomato.common.coordination.keys import BuildKeys, RunningBuild
from aftomato.common.coordination.store import CoordinationStore


async def release_build(store: CoordinationStore, keys: BuildKeys, build_id: str) -> bool:
    """Free what ``build_id`` holds; False when it held nothing (released already)."""
    found = await store.get(keys.running(build_id))
    if found is None:
        return False
    await store.revoke_lease(RunningBuild.model_validate_json(found.value).lease)
    return True
