"""Settings of the build-scripts reader, beside :class:`aftomato.common.settings.ScriptsSettings`
(which says where the repository is): where its working copy lives and how often it is fetched."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from aftomato.common.settings import SettingsGroup


def _default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "aftomato-build-scripts"


class ScriptsReaderSettings(SettingsGroup):
    title: ClassVar[str] = "Build scripts (reader)"

    cache_dir: Path = Field(
        default_factory=_default_cache,
        alias="AFTOMATO_BUILD_SCRIPTS_CACHE",
        description="Folder for the working copy of the build scripts (default: a temp folder)",
    )
    poll_seconds: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        alias="AFTOMATO_BUILD_SCRIPTS_POLL_SECONDS",
        description="Seconds between fetches besides scripts.updated (0: only on scripts.updated)",
    )
    git_timeout: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        alias="AFTOMATO_GIT_TIMEOUT_SECONDS",
        description="Seconds one git clone or fetch of the build scripts may take",
    )
