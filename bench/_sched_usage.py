"""Who used the machine's cores during a round: the service measured (scheduler or baseline),
the bench process, etcd, RabbitMQ, everything else on the machine ("others"), and idle."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from bench._sched_rig import Backends, group_cpu_seconds
from bench._servers import Server, idle_cores_seconds

Reading = dict[str, float]
CORES = os.cpu_count() or 1


def _bench_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass(frozen=True)
class Usage:
    """CPU seconds so far of each party, read from ``/proc``."""

    sources: dict[str, Callable[[], float]]

    @classmethod
    def of(cls, service: Server, backends: Backends) -> Usage:
        sources: dict[str, Callable[[], float]] = {
            service.name: service.cpu_seconds,
            "bench": _bench_seconds,
        }
        for name, group in (("etcd", backends.etcd_pid), ("rabbitmq", backends.rabbitmq_pid)):
            if group is not None:
                sources[name] = functools.partial(group_cpu_seconds, group)
        sources["idle"] = idle_cores_seconds
        return cls(sources)

    def read(self) -> Reading:
        return {name: source() for name, source in self.sources.items()}

    def cores(self, since: Reading, seconds: float) -> Reading:
        """Cores each party kept busy (idle: cores left idle) on average since ``since``."""
        now = self.read()
        cores = {name: (now[name] - since[name]) / seconds for name in since}
        cores["others"] = max(CORES - sum(cores.values()), 0.0)
        return cores


def describe(cores: Reading) -> str:
    return "cores: " + " ".join(f"{name} {value:.2f}" for name, value in cores.items())
