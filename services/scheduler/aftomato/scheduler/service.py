"""The scheduler's parts wired together, given its clients: used by ``aftomato scheduler`` (on
RabbitMQ, etcd and Kubernetes) and by ``aftomato up`` (on the embedded back ends) alike."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from aftomato.common.bus import Bus
from aftomato.common.components import Consumer, Periodic
from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.messages import BuildRequested
from aftomato.common.runner import Component
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.scheduler.finishing import Finishing
from aftomato.scheduler.handlers import QUEUE, ROUTING_KEYS, scheduler_handler
from aftomato.scheduler.launcher import Launcher
from aftomato.scheduler.metrics import SchedulerMetrics
from aftomato.scheduler.placement import Placement
from aftomato.scheduler.pod_settings import PodContext
from aftomato.scheduler.pods import BuildPods
from aftomato.scheduler.policies import Policies
from aftomato.scheduler.reaper import Reaper
from aftomato.scheduler.retention import retention
from aftomato.scheduler.scheduling import Scheduler
from aftomato.scheduler.settings import SchedulerSettings
from aftomato.scheduler.shared_lease import SharedLeases

DAY_SECONDS = 86_400


@dataclass(frozen=True)
class SchedulerParts:
    scheduler: Scheduler
    components: list[Component]


def compose_scheduler(
    *,
    bus: Bus,
    store: CoordinationStore,
    pods: BuildPods,
    scripts: ScriptsReader,
    pod_context: PodContext,
    settings: SchedulerSettings,
    keys: BuildKeys,
    registry: CollectorRegistry,
    scripts_poll_seconds: float,
    prefetch: int | None = None,
) -> SchedulerParts:
    metrics = SchedulerMetrics.register(registry)

    def lease_seconds(request: BuildRequested) -> int:
        project = scripts.catalog.lookup(request.project_key)
        timeout = project.config.timeout if project and project.config else None
        return (timeout or pod_context.pod.timeout_seconds) + settings.lock_grace_seconds

    kept = retention(store, settings.finished_builds_kept_days * DAY_SECONDS)
    placement = Placement(
        store,
        keys,
        max_running=settings.max_running,
        lease_seconds=lease_seconds,
        retention=kept,
        lock_leases=SharedLeases(store),
    )
    finishing = Finishing(store, placement, retention=kept)
    launcher = Launcher(bus, placement, finishing, scripts, pods, pod_context, metrics)
    policies = Policies(bus, placement, finishing, launcher, scripts, metrics)
    scheduler = Scheduler(
        bus, placement, finishing, scripts, launcher, policies, metrics, settings.max_running
    )
    reaper = Reaper(
        bus, placement, finishing, pods, grace_seconds=settings.missing_pod_grace_seconds
    )

    async def sweep() -> None:
        for branch in await reaper.reap():
            await scheduler.promote(branch)
        await launcher.recover()
        await scheduler.sweep()

    async def refresh_scripts() -> None:
        await scripts.refresh()

    scripts_poll = Periodic("build-scripts poll", scripts_poll_seconds, refresh_scripts)
    consumer = Consumer(
        bus,
        QUEUE,
        ROUTING_KEYS,
        scheduler_handler(scheduler, scripts_poll.nudge),
        prefetch=prefetch,
    )
    components: list[Component] = [
        consumer,
        Periodic("sweep", settings.sweep_seconds, sweep),
        scripts_poll,
    ]
    return SchedulerParts(scheduler, components)
