"""Does a project build this request? A pure answer from its ``aftomato.yaml``.

``branches`` (a regular expression the whole branch name must match) filters pushes to branches;
tags and pull requests each have their own switch (``tags``, ``pull_requests``), so a project that
builds only ``main`` still builds its pull requests unless it turns them off.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.common.messages import BuildRequested, RefType
from aftomato.common.scripts.config import ProjectConfig


@dataclass(frozen=True)
class Decision:
    """Whether to build, and why not when not (for the log line and the counter)."""

    build: bool
    reason: str = ""


BUILD = Decision(build=True)


def decide(request: BuildRequested, config: ProjectConfig) -> Decision:
    """Build ``request`` under ``config``, or say why the project does not build it."""
    if request.ref_type is RefType.TAG:
        return BUILD if config.tags else Decision(False, "tags do not build for this project")
    if request.pull_request is not None:
        if config.pull_requests:
            return BUILD
        return Decision(False, "pull requests do not build for this project")
    if config.manages_branch(request.branch):
        return BUILD
    return Decision(
        False, f"branch {request.branch!r} is not managed (branches: {config.branches})"
    )
