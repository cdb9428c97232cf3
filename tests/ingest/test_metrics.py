"""The ingest metrics expose what prometheus_client's own labelled metrics would, line by line."""

from __future__ import annotations

import re

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from aftomato.ingest.metrics import BUILDS, DELIVERIES, LATENCY, LATENCY_BUCKETS, IngestMetrics

SECONDS = [0.0, 0.0005, 0.001, 0.0011, 0.003, 0.2, 10, 10.5, 99]
"""Inside buckets, on their bounds (a bound counts in its own bucket), and past the last one."""


def reference(registry: CollectorRegistry) -> tuple[Counter, Counter, Histogram]:
    labels = ["provider", "outcome"]
    deliveries = Counter(
        DELIVERIES, "Webhook deliveries by provider and outcome", labels, registry=registry
    )
    builds = Counter(
        BUILDS, "build.requested messages confirmed by the broker", ["provider"], registry=registry
    )
    latency = Histogram(
        LATENCY,
        "Time from request to answer",
        ["provider"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    return deliveries, builds, latency


def exposition(registry: CollectorRegistry) -> str:
    """The text format with the ``_created`` timestamps blanked out."""
    return re.sub(r"(_created\{[^}]*\}) \S+", r"\1 T", generate_latest(registry).decode())


@pytest.mark.parametrize("observed", [False, True])
def test_the_exposition_is_prometheus_clients_own(observed: bool) -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    metrics = IngestMetrics.register(ours)
    deliveries, builds, latency = reference(theirs)
    if observed:
        for seconds in SECONDS:
            metrics.delivered("github", "accepted", seconds)
            deliveries.labels("github", "accepted").inc()
            latency.labels("github").observe(seconds)
        metrics.delivered("gitlab", "unauthorized", 0.002)
        deliveries.labels("gitlab", "unauthorized").inc()
        latency.labels("gitlab").observe(0.002)
        for count in (2, 1):
            metrics.requested("github", count)
            builds.labels("github").inc(count)
    assert exposition(ours) == exposition(theirs)


def test_counts_add_up() -> None:
    registry = CollectorRegistry()
    metrics = IngestMetrics.register(registry)
    for seconds in SECONDS:
        metrics.delivered("github", "accepted", seconds)
    text = exposition(registry)
    assert 'aftomato_ingest_deliveries_total{outcome="accepted",provider="github"} 9.0' in text
    assert 'aftomato_ingest_request_seconds_bucket{le="0.001",provider="github"} 3.0' in text
    assert 'aftomato_ingest_request_seconds_bucket{le="+Inf",provider="github"} 9.0' in text
