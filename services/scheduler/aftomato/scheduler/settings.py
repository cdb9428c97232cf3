"""The scheduler's own settings: limits, timings of its sweeps and of the locks' leases."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from aftomato.common.settings import SettingsGroup


class SchedulerSettings(SettingsGroup):
    title: ClassVar[str] = "Scheduler"

    max_running: int = Field(
        default=0,
        ge=0,
        le=100_000,
        alias="AFTOMATO_MAX_RUNNING_BUILDS",
        description="Builds running at once across all projects; 0 for no limit",
    )
    sweep_seconds: float = Field(
        default=2.0,
        gt=0,
        le=300,
        alias="AFTOMATO_SCHEDULER_SWEEP_SECONDS",
        description="How often waiting requests are re-examined (after expiries, reopening)",
    )
    lock_grace_seconds: int = Field(
        default=600,
        ge=60,
        le=86_400,
        alias="AFTOMATO_LOCK_GRACE_SECONDS",
        description="Added to a build's timeout for its lock's lease, covering log upload",
    )
    missing_pod_grace_seconds: float = Field(
        default=120.0,
        ge=5,
        le=86_400,
        alias="AFTOMATO_MISSING_POD_GRACE_SECONDS",
        description="How long a running build's pod may be missing before its lock is freed",
    )
    finished_builds_kept_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        alias="AFTOMATO_FINISHED_BUILDS_KEPT_DAYS",
        description="How long a finished build's id is remembered in etcd, so a late "
        "redelivery of its request does not build it again",
    )
