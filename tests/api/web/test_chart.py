"""The duration chart's geometry: oldest left, heights in proportion, a spoken summary."""

from __future__ import annotations

from aftomato.api.web.chart import BOTTOM, HEIGHT, MAX_SLOT, TOP, WIDTH, duration_chart
from tests.api.web.memory_reader import make_build


def test_no_finished_builds_make_an_empty_chart_that_says_so() -> None:
    chart = duration_chart([make_build(elapsed_seconds=None, state="running")])
    assert chart.bars == ()
    assert chart.summary == "No finished builds yet."


def test_bars_are_oldest_first_and_in_proportion() -> None:
    newest_first = [make_build(elapsed_seconds=s, branch=f"b{s}") for s in (40, 20, 10)]
    chart = duration_chart(newest_first)
    assert [bar.label.split(":")[0] for bar in chart.bars] == ["b10", "b20", "b40"]
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert all(bar.width <= MAX_SLOT for bar in chart.bars)
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == 2 * heights[0]
    assert heights[2] == 2 * heights[1]
    plot = HEIGHT - TOP - BOTTOM
    for bar in chart.bars:
        assert bar.y + bar.height == TOP + plot  # every bar stands on the axis
    assert chart.ticks[-1].label == "50s"  # the scale rounds up to 1, 2 or 5 times ten
    assert chart.summary.endswith("longest 40s, newest 40s.")


def test_limit_keeps_the_newest_builds_and_tiny_durations_stay_visible() -> None:
    builds = [make_build(elapsed_seconds=0) for _ in range(40)]
    chart = duration_chart(builds, limit=30)
    assert len(chart.bars) == 30
    assert all(bar.height >= 1 for bar in chart.bars)
    assert chart.bars[-1].x + chart.bars[-1].width <= WIDTH
    assert chart.bars[-1].href == f"/builds/{builds[0]['build_id']}"
