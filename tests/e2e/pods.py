"""Watching build pods as they change: how many of one branch were alive at once."""

from __future__ import annotations

from collections import Counter

from tests.support.fake_kube import FakeKube

ALIVE = frozenset({"Pending", "Running"})


class BranchOverlap:
    """Counts, after every change on the fake, the live build pods of each project and branch,
    and keeps the highest count seen (a pod is alive until it has Succeeded or Failed)."""

    def __init__(self, fake: FakeKube, namespace: str) -> None:
        self._fake = fake
        self._namespace = namespace
        self.most_alive: Counter[tuple[str, str]] = Counter()
        self.pods_seen: set[str] = set()
        wake = fake.store.changed

        def changed() -> None:
            self._look()
            wake()

        fake.store.changed = changed

    def _look(self) -> None:
        alive: Counter[tuple[str, str]] = Counter()
        for pod in self._fake.pods(self._namespace):
            annotations = pod["metadata"].get("annotations") or {}
            key = (
                annotations.get("aftomato.io/project-key", ""),
                annotations.get("aftomato.io/branch", ""),
            )
            self.pods_seen.add(pod["metadata"]["name"])
            if pod.get("status", {}).get("phase", "Pending") in ALIVE:
                alive[key] += 1
        for key, count in alive.items():
            self.most_alive[key] = max(self.most_alive[key], count)
