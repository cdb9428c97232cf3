"""What the pages read: the JSON shapes of docs/api.md, behind one Protocol.

The api service implements it over its build store and build-scripts reader; the pages never
reach a back end themselves, so they render the same data the JSON API answers with.
"""

from __future__ import annotations

from typing import Any, Protocol


class WebReader(Protocol):
    """Read side of the API for the pages; every dict is the JSON shape docs/api.md names."""

    async def projects(self) -> list[dict[str, Any]]:
        """Every Project, with its config summary and last build."""
        ...

    async def project(self, key: str) -> dict[str, Any] | None:
        """One Project, or None when no such project exists."""
        ...

    async def builds(
        self,
        project: str,
        *,
        branch: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """A page of a project's builds, newest first: ``{"builds": [...], "cursor": ...}``."""
        ...

    async def build(self, build_id: str) -> dict[str, Any] | None:
        """One Build, or None when the id is unknown."""
        ...

    async def active(self) -> list[dict[str, Any]]:
        """Every build not final, oldest first."""
        ...

    async def waiting(self) -> list[dict[str, Any]]:
        """Builds requested or queued, oldest first."""
        ...

    async def queue(self) -> dict[str, Any]:
        """The queue: ``{"open", "reason", "closed_by", "closed_at"}``."""
        ...

    async def artifacts(self, build_id: str) -> list[dict[str, Any]]:
        """A build's artifacts: ``[{"path", "size", "url"}]``."""
        ...
