"""Build pods as the scheduler needs them: create one idempotently, cancel one, withdraw one
made for a build that ended without it, list which exist.

:mod:`.kube_pods` implements this on the Kubernetes API; the embedded mode implements it with
local processes. Creating is idempotent because pod names derive from build ids.
"""

from __future__ import annotations

from typing import Any, Protocol

CANCELLED_ANNOTATION = "aftomato.io/cancelled"
"""Set on a pod before the scheduler deletes it: the watcher records it ``cancelled``."""

ENDED_PHASES = frozenset({"Succeeded", "Failed"})
"""Pod phases after which the pod's containers never run again."""


class PodRejected(Exception):
    """The API refused the pod for good (a quota, an invalid field): the build ends ``errored``."""


class PodsUnavailable(Exception):
    """The API could not be reached or kept failing: try again later."""


class BuildPods(Protocol):
    async def create(self, manifest: dict[str, Any]) -> bool:
        """Create the pod; one that exists already counts as created. True when this call made
        it (False: it existed)."""

    async def cancel(self, name: str, reason: str, grace_seconds: int) -> bool:
        """Mark the pod cancelled with ``reason`` and delete it; False if there was no pod."""

    async def withdraw(self, name: str, reason: str) -> bool:
        """Cancel the pod at once unless it has ended: a pod that ended ran its build, and the
        watcher deletes it once its log is kept. False if it had ended or there was no pod."""

    async def existing(self) -> set[str]:
        """The names of the build pods that exist now."""
