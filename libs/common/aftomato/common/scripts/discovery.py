"""Find the projects in a build-scripts folder: every directory holding a ``build.sh``.

A project's key is its folder's path below the root with ``/`` separators, so keys may hold
several slashes (``examples/hello-world``, ``group/sub/app``). Hidden folders (``.git`` and every
other name starting with ``.``) are not searched and symbolic links to folders are not followed.
A folder whose path is not a valid project key, or whose ``build.sh`` is not a file inside the
root, is skipped with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aftomato.common.names import check_project_key

BUILD_SCRIPT = "build.sh"


@dataclass(frozen=True)
class Skipped:
    """A folder with a ``build.sh`` that is not a project, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    projects: dict[str, Path] = field(default_factory=dict)
    """Project key -> its ``build.sh``, sorted by key."""
    skipped: tuple[Skipped, ...] = ()


def discover(root: Path) -> Discovery:
    """Every project below ``root``; reads the folder tree, changes nothing."""
    resolved_root = root.resolve()
    projects: dict[str, Path] = {}
    skipped: list[Skipped] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        if BUILD_SCRIPT not in files:
            continue
        key = PurePosixPath(Path(folder).relative_to(root)).as_posix()
        script = Path(folder) / BUILD_SCRIPT
        reason = _problem(key, script, resolved_root)
        if reason:
            skipped.append(Skipped(key, reason))
        else:
            projects[key] = script
    return Discovery(dict(sorted(projects.items())), tuple(skipped))


def _problem(key: str, script: Path, root: Path) -> str | None:
    try:
        check_project_key("" if key == "." else key)
    except ValueError as error:
        return str(error)
    try:
        target = script.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symbolic link loop
        return f"{BUILD_SCRIPT}: {error}"
    if not target.is_relative_to(root):
        return f"{BUILD_SCRIPT} leads outside the build scripts folder"
    if not target.is_file():
        return f"{BUILD_SCRIPT} is not a file"
    return None
