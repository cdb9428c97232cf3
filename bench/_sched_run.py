"""One run of ``bench.scheduler``: the service under test (the scheduler, or the baseline in its
place on the same queue), the bench's clients, and a round with everything it prints."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.bus.rabbitmq import RabbitMqBus
from bench._collector import collector_paused
from bench._sched_calls import Calls
from bench._sched_load import Round, measure, offer
from bench._sched_pods import PodClock
from bench._sched_queues import Broker
from bench._sched_rig import Backends, start_service
from bench._sched_usage import Usage, describe
from bench._servers import Server

Kind = tuple[str, list[str]]
WARM_UP_RATE, WARM_UP_SECONDS = 50.0, 1.0


@dataclass
class Run:
    logs: Path
    env: dict[str, str]
    backends: Backends
    bus: RabbitMqBus
    clock: PodClock
    broker: Broker
    calls: Calls
    service: Server | None = None

    async def use(self, kind: Kind, warm_up: float = WARM_UP_SECONDS) -> None:
        """Run ``kind`` on the scheduler's queue (stopping the other), warmed up."""
        if self.service is not None and self.service.name == kind[0]:
            return
        await self.stop()
        self.service = await start_service(kind, self.env, self.logs)
        await self.round(f"warm-up {kind[0]}", WARM_UP_RATE, warm_up)

    async def stop(self) -> None:
        """Stop the service as Kubernetes would (SIGTERM: it drains); say if it failed."""
        if self.service is None:
            return
        service, self.service = self.service, None
        await asyncio.to_thread(service.stop)
        if service.process.returncode != 0:
            log = (self.logs / f"{service.name}.log").read_text(errors="replace")[-2000:]
            print(f"{service.name} exited with {service.process.returncode}:\n{log}")

    async def round(self, label: str, rate: float, seconds: float) -> Round:
        """Offer ``rate`` for ``seconds``, wait for the pods, settle, print the figures.

        Cores are averaged over the round until its last pod; CPU and calls per build also count
        what follows (ending the builds, the scheduler's ``build.finished``), until settled.
        """
        if self.service is None:
            raise RuntimeError("no service to measure")
        name, usage = self.service.name, Usage.of(self.service, self.backends)
        before, started = usage.read(), time.perf_counter()
        await self.calls.start()
        with collector_paused():
            result = await measure(self.clock, await offer(self.bus, rate, seconds))
            cores = usage.cores(before, time.perf_counter() - started)
        await self.broker.settle(self.clock, pause=1.0)
        created = max(len(result.latencies), 1)
        cpu_ms = (usage.read()[name] - before[name]) / created * 1000
        print(
            f"{label:24} {rate:4.0f}/s offered {result.achieved_rps:5.1f}/s created"
            f"  p50 {result.percentile_ms(50):7.1f} ms  p99 {result.percentile_ms(99):7.1f} ms"
            f"  max {max(result.latencies, default=0) * 1000:7.1f} ms  missing {result.missing}"
            f"  publish lag p99 {result.lag_p99_ms:5.1f} ms"
            + (f"  PUBLISH FAILURES {result.publish_failures}" if result.publish_failures else "")
        )
        print(f"{'':24} {name} {cpu_ms:.1f} ms CPU/build; {describe(cores)}")
        print(f"{'':24} calls/build: {await self.calls.per_build(created)}")
        return result
