"""Prometheus metrics of the scheduler, on the registry its composition root owns."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass(frozen=True)
class SchedulerMetrics:
    not_built: Counter
    queued: Counter
    scheduled: Counter
    errored: Counter
    superseded: Counter
    launch_seconds: Histogram

    @classmethod
    def register(cls, registry: CollectorRegistry) -> SchedulerMetrics:
        return cls(
            not_built=Counter(
                "aftomato_scheduler_not_built",
                "Requests that build nothing, by reason",
                ["reason"],
                registry=registry,
            ),
            queued=Counter(
                "aftomato_scheduler_queued", "Requests that had to wait", registry=registry
            ),
            scheduled=Counter(
                "aftomato_scheduler_scheduled", "Build pods created", registry=registry
            ),
            errored=Counter(
                "aftomato_scheduler_errored",
                "Builds ended before their pod ran, by cause",
                ["cause"],
                registry=registry,
            ),
            superseded=Counter(
                "aftomato_scheduler_superseded",
                "Builds cancelled by a newer request (supersede, cancel-previous)",
                registry=registry,
            ),
            launch_seconds=Histogram(
                "aftomato_scheduler_launch_seconds",
                "From taking the lock to the pod created",
                registry=registry,
            ),
        )
