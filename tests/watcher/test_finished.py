"""The watcher's memory of the builds it finished: what it holds and how much."""

from __future__ import annotations

from aftomato.common.states import BuildState
from aftomato.watcher.finished import RecentlyFinished


def test_a_finished_build_is_remembered_with_its_state() -> None:
    finished = RecentlyFinished()
    finished.add("b1", BuildState.FAILED)
    assert finished.state("b1") is BuildState.FAILED
    assert finished.state("b2") is None


def test_the_oldest_are_forgotten_past_the_size() -> None:
    finished = RecentlyFinished(size=2)
    for build_id in ("b1", "b2", "b3"):
        finished.add(build_id, BuildState.SUCCEEDED)
    assert len(finished) == 2
    assert finished.state("b1") is None
    assert finished.state("b3") is BuildState.SUCCEEDED


def test_adding_again_makes_a_build_the_newest() -> None:
    finished = RecentlyFinished(size=2)
    finished.add("b1", BuildState.SUCCEEDED)
    finished.add("b2", BuildState.SUCCEEDED)
    finished.add("b1", BuildState.SUCCEEDED)
    finished.add("b3", BuildState.SUCCEEDED)
    assert finished.state("b1") is BuildState.SUCCEEDED
    assert finished.state("b2") is None
