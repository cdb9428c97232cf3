"""The projects of the build scripts at one commit, and the reader that keeps it current.

:func:`read_catalog` turns a folder into a :class:`ScriptsCatalog`: every project with its build
script and its parsed ``aftomato.yaml`` (or the error that names the bad field). It reads files and
changes nothing. :class:`ScriptsReader` refreshes the repository and re-reads it; the scheduler and
the api call :meth:`ScriptsReader.refresh` on ``scripts.updated`` and on their poll interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.logging import get_logger
from aftomato.common.scripts.config import (
    CONFIG_FILE,
    ProjectConfig,
    ProjectConfigError,
    parse_project_config,
)
from aftomato.common.scripts.discovery import Skipped, discover
from aftomato.common.scripts.repository import ScriptsRepository

log = get_logger(__name__)

MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Project:
    """One project: exactly one of ``config`` and ``config_error`` is set.

    A project without ``aftomato.yaml`` has the default config; one whose file is invalid has
    ``config=None`` and the message that names the field, and its builds end ``errored``.
    """

    key: str
    script_path: Path
    config: ProjectConfig | None
    config_error: str | None = None


@dataclass(frozen=True)
class ScriptsCatalog:
    """The build scripts at ``commit`` (None for a plain folder read in place)."""

    commit: str | None
    projects: Mapping[str, Project]
    skipped: tuple[Skipped, ...] = ()

    def lookup(self, key: str) -> Project | None:
        return self.projects.get(key)


class CatalogNotRead(RuntimeError):
    """The build scripts were not read yet: nothing can be said about any project."""


def read_catalog(root: Path, commit: str | None = None) -> ScriptsCatalog:
    """Every project below ``root`` with its config."""
    found = discover(root)
    projects = {key: read_project(root, key, script) for key, script in found.projects.items()}
    return ScriptsCatalog(commit, projects, found.skipped)


def read_project(root: Path, key: str, script: Path) -> Project:
    """The project ``key`` whose build script is ``script``, with its ``aftomato.yaml``."""
    path = script.parent / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return Project(key, script, ProjectConfig())
    try:
        config = parse_project_config(_config_text(root, path))
    except ProjectConfigError as error:
        return Project(key, script, None, str(error))
    return Project(key, script, config)


def _config_text(root: Path, path: Path) -> bytes:
    try:
        if not path.resolve().is_relative_to(root.resolve()):
            raise ProjectConfigError(f"{CONFIG_FILE}: leads outside the build scripts folder")
        with path.open("rb") as file:
            text = file.read(MAX_CONFIG_BYTES + 1)
    except (OSError, RuntimeError) as error:  # RuntimeError: a symbolic link loop
        raise ProjectConfigError(f"{CONFIG_FILE}: cannot be read: {error}") from None
    if len(text) > MAX_CONFIG_BYTES:
        raise ProjectConfigError(f"{CONFIG_FILE}: larger than {MAX_CONFIG_BYTES} bytes")
    return text


class ScriptsReader:
    """The newest :class:`ScriptsCatalog` of one repository; one refresh at a time."""

    def __init__(self, repository: ScriptsRepository) -> None:
        self._repository = repository
        self._catalog: ScriptsCatalog | None = None
        self._lock = asyncio.Lock()

    @property
    def catalog(self) -> ScriptsCatalog:
        """The catalog of the last successful refresh; :class:`CatalogNotRead` before one."""
        if self._catalog is None:
            raise CatalogNotRead("the build scripts have not been read yet")
        return self._catalog

    async def refresh(self) -> ScriptsCatalog:
        """Fetch the repository and re-read it; on failure the previous catalog stays.

        Raises :class:`~aftomato.common.scripts.repository.ScriptsRepositoryError` when git fails.
        """
        async with self._lock:
            commit = await self._repository.refresh()
            catalog = await asyncio.to_thread(read_catalog, self._repository.path, commit)
            previous, self._catalog = self._catalog, catalog
        if previous is None or (previous.commit, previous.projects) != (commit, catalog.projects):
            self._log(catalog)
        return catalog

    def _log(self, catalog: ScriptsCatalog) -> None:
        invalid = sorted(key for key, project in catalog.projects.items() if project.config_error)
        log.info(
            "build_scripts_read",
            commit=catalog.commit,
            projects=len(catalog.projects),
            invalid_configs=invalid,
        )
        for skipped in catalog.skipped:
            log.warning("build_scripts_folder_skipped", path=skipped.path, reason=skipped.reason)
