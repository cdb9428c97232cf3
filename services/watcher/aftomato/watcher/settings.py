"""The watcher's own settings: how long a pod may wait, how often to resync, what to keep."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from aftomato.common.settings import SettingsGroup
from aftomato.watcher.reporting.settings import ReportingSettings

__all__ = ["ReportingSettings", "WatcherSettings"]


class WatcherSettings(SettingsGroup):
    title: ClassVar[str] = "Watcher"

    pending_timeout_seconds: float = Field(
        default=300.0,
        ge=1,
        le=86_400,
        alias="AFTOMATO_PENDING_TIMEOUT_SECONDS",
        description="How long a pod may wait for its image or a node before the build errors",
    )
    resync_seconds: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        alias="AFTOMATO_WATCHER_RESYNC_SECONDS",
        description="How often the watcher lists every build pod again besides watching",
    )
    vanished_grace_seconds: float = Field(
        default=120.0,
        ge=1,
        le=86_400,
        alias="AFTOMATO_VANISHED_POD_GRACE_SECONDS",
        description="How long an active build's pod may be missing before the build errors",
    )
    keep_failed_pods_seconds: float = Field(
        default=0.0,
        ge=0,
        le=7 * 86_400,
        alias="AFTOMATO_KEEP_FAILED_PODS_SECONDS",
        description="Keep the pods of builds that did not succeed this long, for debugging",
    )
