"""What the fake cluster saw happen to build pods, kept while faults are injected, and the checks
the guarantees of docs/reliability.md make on it.

:class:`PodLedger` looks at the fake API after every change (as ``tests.e2e.pods.BranchOverlap``
does): every pod object ever created per build (by ``uid``: a pod deleted and made again counts
twice), the most pods of one project and branch alive at once, and when each build's pod ended
(``Succeeded``/``Failed``, or gone). :func:`records_follow_pods` samples the records while the
builds end and notes when each one became final.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from aftomato.common.records.model import BuildRecord
from tests.e2e.cluster import NAMESPACE, Cluster
from tests.e2e.pods import ALIVE
from tests.support.fake_kube import FakeKube

BUILD_ID_LABEL = "aftomato.io/build-id"
SAMPLE_SECONDS = 0.25
ACTIVE_AFTER_POD_SECONDS = 60.0
"""The guarantee: no record stays active longer than this after its pod ended."""


class PodLedger:
    def __init__(self, fake: FakeKube) -> None:
        self._fake = fake
        self.uids: defaultdict[str, set[str]] = defaultdict(set)
        self.most_alive: Counter[tuple[str, str]] = Counter()
        self.ended_at: dict[str, float] = {}
        """``time.monotonic()`` when the build's pod was first seen ended or gone."""
        self._live: set[str] = set()
        wake = self._fake.store.changed

        def changed() -> None:
            self._look()
            wake()

        self._fake.store.changed = changed

    def _look(self) -> None:
        now = time.monotonic()
        alive: Counter[tuple[str, str]] = Counter()
        present: set[str] = set()
        for pod in self._fake.pods(NAMESPACE):
            metadata = pod["metadata"]
            build_id = (metadata.get("labels") or {}).get(BUILD_ID_LABEL, "")
            annotations = metadata.get("annotations") or {}
            self.uids[build_id].add(metadata["uid"])
            present.add(build_id)
            if pod.get("status", {}).get("phase", "Pending") in ALIVE:
                key = (
                    annotations.get("aftomato.io/project-key", ""),
                    annotations.get("aftomato.io/branch", ""),
                )
                alive[key] += 1
            else:
                self.ended_at.setdefault(build_id, now)
        for build_id in self._live - present:
            self.ended_at.setdefault(build_id, now)
        self._live = present
        for key, count in alive.items():
            self.most_alive[key] = max(self.most_alive[key], count)

    def duplicated(self) -> dict[str, int]:
        """Builds that had more than one pod object, with how many."""
        return {build: len(uids) for build, uids in self.uids.items() if len(uids) > 1}

    def overlapping(self) -> dict[tuple[str, str], int]:
        """Project and branch pairs that ever had more than one live pod."""
        return {key: count for key, count in self.most_alive.items() if count > 1}


async def records_follow_pods(
    cluster: Cluster,
    ledger: PodLedger,
    build_ids: Iterable[str],
    *,
    within: float,
) -> dict[str, BuildRecord]:
    """Every build's final record with its console log stored, sampled until all are final or
    ``within`` seconds pass; fails naming the builds still active, and any build whose record
    stayed active more than ``ACTIVE_AFTER_POD_SECONDS`` after its pod ended."""
    waiting = set(build_ids)
    final: dict[str, BuildRecord] = {}
    lag: dict[str, float] = {}
    deadline = time.monotonic() + within
    while waiting and time.monotonic() < deadline:
        for build_id in sorted(waiting):
            record = await cluster.records.get(build_id)
            logged = record is not None and record.log_location is not None
            if record is not None and record.state.is_final and logged:
                final[build_id] = record
                waiting.discard(build_id)
                if build_id in ledger.ended_at:
                    lag[build_id] = time.monotonic() - ledger.ended_at[build_id]
        await asyncio.sleep(SAMPLE_SECONDS)
    still = {b: await cluster.records.get(b) for b in waiting}
    states = {b: (r.state.value if r else "no record") for b, r in still.items()}
    assert not waiting, f"{len(waiting)} builds not final after {within:.0f} s: {states}"
    late = {b: round(s, 1) for b, s in lag.items() if s > ACTIVE_AFTER_POD_SECONDS}
    assert not late, f"records active over {ACTIVE_AFTER_POD_SECONDS} s after their pod: {late}"
    return final
