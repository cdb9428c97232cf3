"""Round trips per build: etcd's own count of the gRPC calls it served (its ``/metrics``), and
the fake Kubernetes API's request log. They include the watcher stand-in's calls (an etcd Range
and Txn per build, from ``release_build``)."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass

from tests.support.fake_kube import FakeKube

_STARTED = re.compile(r'^grpc_server_started_total\{.*grpc_method="(\w+)".*\} (\S+)$')


def _etcd_calls(endpoint: str) -> Counter[str]:
    with urllib.request.urlopen(f"http://{endpoint}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    calls: Counter[str] = Counter()
    for line in text.splitlines():
        if found := _STARTED.match(line):
            calls[found[1]] += int(float(found[2]))
    return calls


@dataclass
class Calls:
    etcd_endpoint: str
    fake: FakeKube
    etcd: Counter[str] | None = None
    kube_seen: int = 0

    async def start(self) -> None:
        self.etcd = await asyncio.to_thread(_etcd_calls, self.etcd_endpoint)
        self.kube_seen = len(self.fake.requests)

    async def per_build(self, builds: int) -> str:
        """The calls since :meth:`start`, per build, busiest first."""
        etcd = await asyncio.to_thread(_etcd_calls, self.etcd_endpoint)
        etcd.subtract(self.etcd or Counter())
        kube = Counter(r.method for r in self.fake.requests[self.kube_seen :])
        return f"etcd {_each(etcd, builds)}; kube API {_each(kube, builds)}"


def _each(calls: Counter[str], builds: int) -> str:
    busy = [(name, count) for name, count in calls.most_common() if count > 0]
    total = sum(count for _, count in busy) / max(builds, 1)
    parts = ", ".join(f"{name} {count / max(builds, 1):.2f}" for name, count in busy)
    return f"{total:.2f} ({parts})"
