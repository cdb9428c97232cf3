"""Prometheus metrics of the ingest service, on the registry its composition root owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram

Metric = TypeVar("Metric", Counter, Histogram)


@dataclass(frozen=True)
class IngestMetrics:
    deliveries: Counter
    builds: Counter
    latency: Histogram
    # Labelled children by label values: ``labels()`` validates and locks on every call, a
    # noticeable share of a delivery's cost, and the label values are few (provider, outcome).
    _children: dict[tuple[object, ...], Any] = field(default_factory=dict, init=False, repr=False)

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

    def delivered(self, provider: str, outcome: str, seconds: float) -> None:
        """One delivery answered: counted by provider and outcome, its latency observed."""
        self._child(self.deliveries, provider, outcome).inc()
        self._child(self.latency, provider).observe(seconds)

    def requested(self, provider: str, builds: int) -> None:
        """``builds`` build.requested messages confirmed for one of ``provider``'s deliveries."""
        self._child(self.builds, provider).inc(builds)

    def _child(self, metric: Metric, *labels: str) -> Metric:
        key = (id(metric), *labels)
        child: Metric | None = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child
