"""Prometheus metrics of the ingest service, on the registry its composition root owns.

Counted in plain numbers and made into metric families only when ``/metrics`` is scraped:
prometheus_client's labelled metrics take a lock and make several calls per update, about 2% of
a webhook's instructions (callgrind), for numbers that only the event loop's thread writes and
reads. The exposition is the same as theirs: counters with ``_total`` and ``_created``, a
histogram with cumulative buckets, ``_count``, ``_sum`` and ``_created``.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

DELIVERIES = "aftomato_ingest_deliveries"
BUILDS = "aftomato_ingest_builds_requested"
LATENCY = "aftomato_ingest_request_seconds"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_BUCKET_NAMES = (*(repr(float(bound)) for bound in LATENCY_BUCKETS), "+Inf")
"""The ``le`` labels, written as prometheus_client writes them (``1.0``, ``+Inf``)."""


class _Count:
    """One labelled counter: its value and when it was first counted."""

    def __init__(self) -> None:
        self.value = 0.0
        self.created = time.time()


class _Latency:
    """One labelled histogram: observations per bucket (the last one ``+Inf``) and their sum."""

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.sum = 0.0
        self.created = time.time()

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1  # first bound >= seconds
        self.sum += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        buckets, total = [], 0
        for name, count in zip(_BUCKET_NAMES, self.counts, strict=True):
            total += count
            buckets.append((name, float(total)))
        return buckets


class IngestMetrics(Collector):
    def __init__(self) -> None:
        self._deliveries: dict[tuple[str, str], _Count] = {}
        self._builds: dict[str, _Count] = {}
        self._latency: dict[str, _Latency] = {}

    @classmethod
    def register(cls, registry: CollectorRegistry) -> IngestMetrics:
        metrics = cls()
        registry.register(metrics)
        return metrics

    def delivered(self, provider: str, outcome: str, seconds: float) -> None:
        """One delivery answered: counted by provider and outcome, its latency observed."""
        count = self._deliveries.get((provider, outcome))
        if count is None:
            count = self._deliveries[(provider, outcome)] = _Count()
        count.value += 1
        latency = self._latency.get(provider)
        if latency is None:
            latency = self._latency[provider] = _Latency()
        latency.observe(seconds)

    def requested(self, provider: str, builds: int) -> None:
        """``builds`` build.requested messages confirmed for one of ``provider``'s deliveries."""
        count = self._builds.get(provider)
        if count is None:
            count = self._builds[provider] = _Count()
        count.value += builds

    def collect(self) -> Iterable[Metric]:
        deliveries = CounterMetricFamily(
            DELIVERIES, "Webhook deliveries by provider and outcome", labels=["provider", "outcome"]
        )
        for labels, count in self._deliveries.items():
            deliveries.add_metric(labels, count.value, created=count.created)
        builds = CounterMetricFamily(
            BUILDS, "build.requested messages confirmed by the broker", labels=["provider"]
        )
        for provider, count in self._builds.items():
            builds.add_metric([provider], count.value, created=count.created)
        latency = HistogramMetricFamily(LATENCY, "Time from request to answer", labels=["provider"])
        for provider, observed in self._latency.items():
            latency.add_metric([provider], observed.cumulative(), observed.sum)
            created = Sample(f"{LATENCY}_created", {"provider": provider}, observed.created)
            latency.samples.append(created)
        return [deliveries, builds, latency]
