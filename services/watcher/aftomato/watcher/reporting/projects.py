"""Each project's notification settings, from its ``aftomato.yaml`` in the build scripts."""

from __future__ import annotations

from typing import Protocol

from aftomato.common.scripts.catalog import CatalogNotRead, ScriptsReader
from aftomato.common.scripts.config import Notifications


class ProjectNotifications(Protocol):
    def of(self, project_key: str) -> Notifications:
        """The project's notification settings; none configured for an unknown project."""


class NoNotifications:
    """For a watcher without build scripts: nobody is notified."""

    def of(self, project_key: str) -> Notifications:
        return Notifications()


class CatalogNotifications:
    """The settings of the newest build scripts the reader has read."""

    def __init__(self, reader: ScriptsReader) -> None:
        self._reader = reader

    def of(self, project_key: str) -> Notifications:
        try:
            project = self._reader.catalog.lookup(project_key)
        except CatalogNotRead:
            return Notifications()
        if project is None or project.config is None:
            return Notifications()
        return project.config.notifications
