"""Build pods as the watcher sees them: listed, watched, their logs read, deleted.

:mod:`.kube_source` reads them from the Kubernetes API; the embedded mode reads local builds.
Pods are plain dicts shaped as the API returns them (camelCase).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Protocol

Pod = dict[str, Any]


class WatchExpired(Exception):
    """The resourceVersion is too old (``410 Gone``): list again, then watch from there."""


@dataclass(frozen=True)
class PodEvent:
    kind: str
    """ADDED, MODIFIED or DELETED."""
    pod: Pod


class PodSource(Protocol):
    async def list(self) -> tuple[list[Pod], str]:
        """Every build pod now, and the resourceVersion to watch from."""

    def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        """Changes after ``resource_version`` for up to ``seconds``; raises WatchExpired."""

    def log(self, name: str, *, follow: bool = False) -> AsyncGenerator[bytes, None]:
        """The build container's whole log, in chunks; ``follow``: and what it prints until it
        ends."""

    async def delete(self, name: str) -> None:
        """Delete the pod (one already gone is fine)."""


def resource_version(pod: Pod) -> str:
    return str(pod.get("metadata", {}).get("resourceVersion", ""))
