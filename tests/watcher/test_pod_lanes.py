"""Sights of one pod in order, of different pods side by side, and waiting sights folded."""

from __future__ import annotations

import asyncio
from typing import Any

from aftomato.watcher.pod_lanes import PodLanes, Sight


def pod(name: str, version: int, *, terminating: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "resourceVersion": str(version)}
    if terminating:
        metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": metadata}


class Handler:
    """Records each sight; a sight of a pod named in ``held`` waits until it is released."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bool]] = []
        self.held: dict[str, asyncio.Event] = {}
        self.busy: set[str] = set()
        self.overlapped = False

    async def __call__(self, sight: Sight) -> None:
        name = sight.pod["metadata"]["name"]
        assert name not in self.busy, "two sights of one pod at once"
        self.overlapped |= bool(self.busy)
        self.busy.add(name)
        try:
            if name in self.held:
                await self.held[name].wait()
            if sight.pod["metadata"].get("fail"):
                raise RuntimeError("a failing sight")
            self.seen.append((name, sight.pod["metadata"]["resourceVersion"], sight.deleted))
        finally:
            self.busy.discard(name)


async def test_a_slow_pod_holds_up_only_its_own_sights() -> None:
    handler = Handler()
    lanes = PodLanes(handler)
    handler.held["slow"] = asyncio.Event()
    lanes.see("slow", Sight(pod("slow", 1)))
    for version in (2, 3):
        lanes.see("quick", Sight(pod("quick", version)))
        await asyncio.sleep(0.01)
    assert handler.seen == [("quick", "2", False), ("quick", "3", False)]
    handler.held["slow"].set()
    await lanes.settled()
    assert handler.seen[-1] == ("slow", "1", False)
    assert handler.overlapped
    assert len(lanes) == 0


async def test_waiting_sights_fold_into_the_newest_but_deleting_and_deleted_ones_stay() -> None:
    handler = Handler()
    lanes = PodLanes(handler)
    handler.held["p"] = asyncio.Event()
    lanes.see("p", Sight(pod("p", 1)))
    await asyncio.sleep(0)  # the first is being handled; the rest wait behind it
    lanes.see("p", Sight(pod("p", 2)))
    lanes.see("p", Sight(pod("p", 3)))
    lanes.see("p", Sight(pod("p", 4, terminating=True)))
    lanes.see("p", Sight(pod("p", 5, terminating=True)))
    lanes.see("p", Sight(pod("p", 6), deleted=True))
    lanes.see("p", Sight(pod("p", 7)))  # made again after its deletion
    lanes.see("p", Sight(pod("p", 8)))
    handler.held["p"].set()
    await lanes.settled()
    versions = [(version, deleted) for _, version, deleted in handler.seen]
    # 2 and 3 fold into 4; 4 and 5 (deleting) and 6 (deleted) stay; 7 folds into 8
    assert versions == [("1", False), ("4", False), ("5", False), ("6", True), ("8", False)]


async def test_a_failing_sight_is_logged_and_the_next_is_handled() -> None:
    handler = Handler()
    lanes = PodLanes(handler)
    failing = pod("p", 1)
    failing["metadata"]["fail"] = True
    lanes.see("p", Sight(failing))
    await lanes.settled()
    lanes.see("p", Sight(pod("p", 2)))
    await lanes.settled()
    assert handler.seen == [("p", "2", False)]


async def test_closing_stops_the_sights_being_handled() -> None:
    handler = Handler()
    lanes = PodLanes(handler, at_once=1)
    handler.held["a"] = asyncio.Event()
    lanes.see("a", Sight(pod("a", 1)))
    lanes.see("b", Sight(pod("b", 1)))  # waits for a turn: one pod at once
    await asyncio.sleep(0.01)
    assert handler.busy == {"a"}
    await lanes.close()
    assert handler.seen == []
    assert len(lanes) == 0


async def test_sights_waiting_for_a_turn_fold_too() -> None:
    handler = Handler()
    lanes = PodLanes(handler, at_once=1)
    handler.held["a"] = asyncio.Event()
    lanes.see("a", Sight(pod("a", 1)))
    await asyncio.sleep(0)
    for version in (1, 2, 3):  # b waits for a turn all along: only its newest is handled
        lanes.see("b", Sight(pod("b", version)))
    handler.held["a"].set()
    await lanes.settled()
    assert handler.seen == [("a", "1", False), ("b", "3", False)]


async def test_room_waits_while_the_most_pods_are_queued() -> None:
    handler = Handler()
    lanes = PodLanes(handler, at_once=1, most=2)
    handler.held["a"] = asyncio.Event()
    lanes.see("a", Sight(pod("a", 1)))
    lanes.see("b", Sight(pod("b", 1)))
    room = asyncio.create_task(lanes.room())
    await asyncio.sleep(0.01)
    assert not room.done()
    lanes.see("b", Sight(pod("b", 2)))  # a pod already queued takes no more room
    assert len(lanes) == 2
    handler.held["a"].set()
    await asyncio.wait_for(room, timeout=5)
    await lanes.settled()
    assert handler.seen == [("a", "1", False), ("b", "2", False)]
