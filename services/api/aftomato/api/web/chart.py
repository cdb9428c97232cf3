"""The duration chart of a project page: bar geometry from a build history, drawn as SVG.

Pure: the template turns the :class:`Chart` into ``<rect>`` elements; tests check the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aftomato.api.web.views import build_path, duration

WIDTH = 600
HEIGHT = 160
LEFT = 44  # room for the axis labels
BOTTOM = 20
TOP = 8
MAX_SLOT = 40  # a few builds stay slim bars, not blocks


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    state: str
    label: str
    href: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    summary: str


def duration_chart(builds: list[dict[str, Any]], *, limit: int = 30) -> Chart:
    """Bars for the newest ``limit`` builds that have a duration, oldest on the left."""
    timed = [b for b in builds if b.get("elapsed_seconds") is not None][:limit][::-1]
    if not timed:
        return Chart((), (), WIDTH, HEIGHT, "No finished builds yet.")
    longest = max(float(b["elapsed_seconds"]) for b in timed)
    scale_top = _nice_ceiling(longest)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = min((WIDTH - LEFT) / len(timed), MAX_SLOT)
    bars = []
    for index, build in enumerate(timed):
        seconds = float(build["elapsed_seconds"])
        height = max(1.0, plot_height * seconds / scale_top)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                state=str(build.get("state", "")),
                label=f"{build.get('branch', '')}: {duration(seconds)}, {build.get('state', '')}",
                href=build_path(str(build["build_id"])),
            )
        )
    ticks = tuple(
        Tick(y=round(TOP + plot_height * (1 - part), 2), label=duration(scale_top * part))
        for part in (0.0, 0.5, 1.0)
    )
    summary = (
        f"Durations of the last {len(timed)} builds, oldest first; "
        f"longest {duration(longest)}, newest {duration(float(timed[-1]['elapsed_seconds']))}."
    )
    return Chart(tuple(bars), ticks, WIDTH, HEIGHT, summary)


def _nice_ceiling(seconds: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above ``seconds`` (at least 1)."""
    if seconds <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(seconds))
    for step in (1, 2, 5, 10):
        if step * power >= seconds:
            return float(step * power)
    raise AssertionError("unreachable")  # pragma: no cover
