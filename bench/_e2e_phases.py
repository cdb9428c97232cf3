"""Where a build's time goes, from the moments its events reached an api client."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

PHASES = (
    ("202 -> scheduled (scheduler: lock, pod)", "accepted", "build.scheduled"),
    ("scheduled -> started (pod start: clone, entrypoint)", "build.scheduled", "build.started"),
    ("started -> finished (script, log, record)", "build.started", "build.finished"),
)


@dataclass(frozen=True)
class Build:
    build_id: str
    moments: dict[str, float]
    """``accepted`` (the 202) and each routing key -> monotonic seconds."""

    @property
    def seconds(self) -> float:
        return self.moments["build.finished"] - self.moments["accepted"]


def percentile(values: list[float], percent: int) -> float:
    """The nearest-rank percentile (p99 of 50 values is the largest but none)."""
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def phases_line(builds: list[Build]) -> str:
    """The median of each phase, over the builds that reported both of its ends."""
    parts = []
    for label, start, end in PHASES:
        spans = [
            b.moments[end] - b.moments[start] for b in builds if {start, end} <= b.moments.keys()
        ]
        median = f"{statistics.median(spans):.3f} s" if spans else "not seen"
        parts.append(f"{label} {median}")
    return "; ".join(parts)
