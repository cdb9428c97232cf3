"""Prometheus metrics of the ingest service, on the registry its composition root owns."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass(frozen=True)
class IngestMetrics:
    deliveries: Counter
    builds: Counter
    latency: Histogram

    @classmethod
    def register(cls, registry: CollectorRegistry) -> IngestMetrics:
        return cls(
            deliveries=Counter(
                "aftomato_ingest_deliveries",
                "Webhook deliveries by provider and outcome",
                ["provider", "outcome"],
                registry=registry,
            ),
            builds=Counter(
                "aftomato_ingest_builds_requested",
                "build.requested messages confirmed by the broker",
                ["provider"],
                registry=registry,
            ),
            latency=Histogram(
                "aftomato_ingest_request_seconds",
                "Time from request to answer",
                ["provider"],
                buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                registry=registry,
            ),
        )
