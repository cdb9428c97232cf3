"""Scheduler latency: ``build.requested`` published to build pod created, at 200 requests/s.

``aftomato scheduler`` runs in its own process on a private RabbitMQ and etcd, with build scripts
``bench/p000`` ... ``bench/p099`` (a ``build.sh`` each, default config) and a kubeconfig pointing
at a fake Kubernetes API served by this process (``tests/support/fake_kube``). The bench publishes
``build.requested`` at a fixed rate (open loop), each for a branch of its own, so none waits
behind a running build; a pod's creation is stamped when the fake commits it. A stand-in for the
watcher ends each build ``BUILD_SECONDS`` later (lock released, ``build.finished``, pod deleted).

First ``RATE`` requests/s for ``SECONDS``, in two halves alternating with a baseline on the same
queue, clients and machine (``bench._sched_baseline``: one lock transaction on a shared lease,
the same pod; what any scheduler must do). Then short rounds stepping the rate up until one does
not hold (a pod missing, pods created at under 95% of the offered rate, or p99 over
``P99_BOUND_MS``), or down from ``RATE`` if that did not hold. Every round prints the CPU per
build of the service, who used the cores (the rest of the machine too: it is shared), and the
etcd and Kubernetes API calls per build. The last line is one JSON object.

    python -m bench.scheduler                  # private RabbitMQ and etcd (its data on disk)
    BENCH_QUICK=1 python -m bench.scheduler    # a short smoke run
    BENCH_ETCD_TMPFS=1 python -m bench.scheduler   # etcd data in /dev/shm: fsync costs nothing
    BENCH_PY_SPY=/tmp/pyspy/bin/py-spy python -m bench.scheduler  # profile the first half
    AFTOMATO_BENCH_AMQP_URL=amqp://... AFTOMATO_BENCH_ETCD_ENDPOINT=host:port python -m ...
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import SecretStr

from aftomato.common.bus.rabbitmq import RabbitMqBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.logging import configure_logging
from aftomato.common.settings import AmqpSettings, EtcdSettings, LogSettings
from bench._sched_calls import Calls
from bench._sched_load import PROJECTS, Round, pooled
from bench._sched_pods import PodClock
from bench._sched_profile import Profiler
from bench._sched_queues import Broker
from bench._sched_rig import (
    BASELINE,
    NAMESPACE,
    PREFIX,
    SCHEDULER,
    Backends,
    backends,
    check_kubeconfig,
    write_kubeconfig,
    write_projects,
)
from bench._sched_run import Run
from tests.support.fake_kube import FakeKube

QUICK = os.environ.get("BENCH_QUICK") == "1"
RATE = float(os.environ.get("BENCH_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5" if QUICK else "20"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "3" if QUICK else "8"))
STEPS_UP = (300.0, 400.0, 500.0, 600.0, 800.0, 1000.0)
STEPS_DOWN = (150.0, 100.0, 75.0, 50.0)
P99_BOUND_MS = float(os.environ.get("BENCH_P99_BOUND_MS", "500"))
TARGET_P99_MS = 100.0
BUILD_SECONDS = float(os.environ.get("BENCH_BUILD_SECONDS", "1.0"))
PY_SPY = os.environ.get("BENCH_PY_SPY")


async def ladder(run: Run, at_rate: Round) -> float:
    """The highest rate that held: stepping up from ``RATE``, or down if ``RATE`` did not hold."""
    if not at_rate.held(P99_BOUND_MS):
        for rate in STEPS_DOWN:
            if (await run.round(f"step {rate:.0f}/s", rate, STEP_SECONDS)).held(P99_BOUND_MS):
                return rate
        return 0.0
    best = RATE
    for rate in STEPS_UP:
        if not (await run.round(f"step {rate:.0f}/s", rate, STEP_SECONDS)).held(P99_BOUND_MS):
            break
        best = rate
    return best


@asynccontextmanager
async def rig(root: Path, found: Backends, fake: FakeKube) -> AsyncIterator[Run]:
    """The bench's bus and etcd clients, the pod clock, and the environment of the services."""
    kubeconfig = write_kubeconfig(root / "kubeconfig", fake.url)
    await check_kubeconfig(kubeconfig)
    print(f"kubeconfig {kubeconfig.name} -> {fake.url}: loaded by kube_api_client, answers")
    env = {
        "AFTOMATO_AMQP_URL": found.amqp_url,
        "AFTOMATO_ETCD_ENDPOINTS": found.etcd_endpoint,
        "KUBECONFIG": str(kubeconfig),
        "AFTOMATO_BUILD_NAMESPACE": NAMESPACE,
        "AFTOMATO_BUILD_SCRIPTS_REPO": str(write_projects(root / "scripts", PROJECTS)),
        "AFTOMATO_BUILD_SCRIPTS_CACHE": str(root / "cache"),
        "AFTOMATO_LOG_LEVEL": "warning",
        "AFTOMATO_LOG_FORMAT": "json",
    }
    bus = await RabbitMqBus.connect(AmqpSettings(url=SecretStr(found.amqp_url)))
    store = await EtcdStore.connect(EtcdSettings(endpoints=(found.etcd_endpoint,)))
    broker = await Broker.connect(found.amqp_url)
    clock = PodClock(fake, bus, store, BuildKeys(PREFIX), BUILD_SECONDS)
    run = Run(root, env, found, bus, clock, broker, Calls(found.etcd_endpoint, fake))
    try:
        async with clock:
            yield run
            await run.stop()  # while the watcher stand-in still ends what the service started
    finally:
        await run.stop()
        for close in (broker.close, bus.close, store.close):
            await close()
    if clock.failures:
        print(f"the watcher stand-in failed {len(clock.failures)} times: {clock.failures[0]!r}")


async def side_by_side(run: Run) -> tuple[Round, Round]:
    """``RATE`` for ``SECONDS`` to each, in alternating halves; pooled scheduler and baseline."""
    halves: dict[str, list[Round]] = {SCHEDULER[0]: [], BASELINE[0]: []}
    for pair in ((SCHEDULER, BASELINE), (BASELINE, SCHEDULER)):
        for name, command in pair:
            await run.use((name, command))
            first = PY_SPY is not None and name == SCHEDULER[0] and not halves[name]
            halves[name].append(await half(run, name, first))
    scheduler, baseline = pooled(halves[SCHEDULER[0]]), pooled(halves[BASELINE[0]])
    for name, result in (("scheduler", scheduler), ("baseline", baseline)):
        print(
            f"  {name} over both halves: p50 {result.percentile_ms(50):.1f} ms,"
            f" p99 {result.percentile_ms(99):.1f} ms, {result.achieved_rps:.1f}/s created"
        )
    return scheduler, baseline


async def half(run: Run, name: str, profiled: bool) -> Round:
    """``RATE`` for ``SECONDS / 2``; with py-spy on the service when ``profiled``."""
    label = f"{name} {RATE:.0f}/s"
    if not (profiled and PY_SPY and run.service):
        return await run.round(label, RATE, SECONDS / 2)
    profiler = Profiler(PY_SPY, Path(tempfile.gettempdir()) / f"bench-{name}-{os.getpid()}.raw")
    await profiler.start(run.service.pid, SECONDS / 2)
    result = await run.round(f"{label} (py-spy)", RATE, SECONDS / 2)
    print(await profiler.report())
    return result


async def measure_all(root: Path, found: Backends) -> dict[str, float]:
    async with FakeKube() as fake, rig(root, found, fake) as run:
        await run.use(SCHEDULER, warm_up=2.0 if QUICK else 4.0)
        run.clock.schema.strict = False
        at_rate, _ = await side_by_side(run)
        best = await ladder(run, at_rate)
        counters, checked = fake.counters, run.clock.schema.checked
        print(
            f"pods created {counters.pods_created} (409s {counters.create_conflicts});"
            f" {checked} checked against the schema in the first warm-up,"
            f" {counters.invalid_objects} invalid"
        )
    return {
        "p50_ms": round(at_rate.percentile_ms(50), 1),
        "p99_ms": round(at_rate.percentile_ms(99), 1),
        "offered_rps": RATE,
        "max_sustained_rps": best,
    }


def conditions(found: Backends) -> str:
    etcd = "etcd data in /dev/shm (fsync is free)" if found.etcd_on_tmpfs else "etcd data on disk"
    return (
        f"{PROJECTS} projects, a branch per request, builds last {BUILD_SECONDS:g} s;"
        f" {etcd}; a round holds with every pod created, >= 95% of the offered rate,"
        f" p99 <= {P99_BOUND_MS:g} ms; step rounds {STEP_SECONDS:g} s"
    )


async def main() -> None:
    configure_logging("bench", LogSettings(level="warning"))
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-") as folder:
        root = Path(folder)
        with backends(root) as found:
            result = await measure_all(root, found)
        print(conditions(found))
    met = "met" if result["p99_ms"] <= TARGET_P99_MS else "NOT MET"
    print(f"  {met:8} p99 <= {TARGET_P99_MS:g} ms at {RATE:g} requests/s")
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
