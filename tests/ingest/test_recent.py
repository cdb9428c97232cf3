"""The recent-delivery memory: which deliveries count as repeats, and for how long."""

from __future__ import annotations

from aftomato.ingest.recent import RecentDeliveries


def test_a_remembered_delivery_is_seen_and_another_is_not() -> None:
    recent = RecentDeliveries(10)
    recent.remember("github", "d-1")
    assert recent.seen("github", "d-1")
    assert not recent.seen("github", "d-2")
    assert not recent.seen("gitea", "d-1")  # the same id from another provider is another delivery


def test_the_least_recently_seen_is_forgotten_first() -> None:
    recent = RecentDeliveries(2)
    recent.remember("github", "old")
    recent.remember("github", "older-but-seen")
    assert recent.seen("github", "old")  # now the newest
    recent.remember("github", "new")
    assert len(recent) == 2
    assert recent.seen("github", "old")
    assert recent.seen("github", "new")
    assert not recent.seen("github", "older-but-seen")


def test_remembering_twice_keeps_one_entry() -> None:
    recent = RecentDeliveries(5)
    recent.remember("github", "d-1")
    recent.remember("github", "d-1")
    assert len(recent) == 1


def test_a_capacity_of_zero_remembers_nothing() -> None:
    recent = RecentDeliveries(0)
    recent.remember("github", "d-1")
    assert not recent.seen("github", "d-1")
    assert len(recent) == 0
