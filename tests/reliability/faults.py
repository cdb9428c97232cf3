"""Faults the end-to-end rig (``tests/e2e/cluster.py``) does not inject by itself: a service
killed with SIGKILL and started again, a second replica of a service beside the first.

A replica is the same ``aftomato <service>`` with the same configuration, its own HTTP or health
port, its own working copy of the build scripts and its own log (``<service>-2.log``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator

from tests.e2e.cluster import Cluster
from tests.e2e.services import START_SECONDS, Service, service, start, stop

OWN_VARIABLES = ("AFTOMATO_HTTP_HOST", "AFTOMATO_HTTP_PORT", "AFTOMATO_HEALTH_PORT")
EXIT_SECONDS = 10.0


async def kill(target: Service) -> None:
    """SIGKILL the service's whole process group, as an OOM kill or a lost node would, and wait
    until it is gone: no drain, no clean-up, in-flight work simply stops."""
    os.killpg(target.pid, signal.SIGKILL)
    deadline = time.monotonic() + EXIT_SECONDS
    while target.process.is_running():
        if time.monotonic() > deadline:
            raise AssertionError(f"{target.name} still runs {EXIT_SECONDS:.0f} s after SIGKILL")
        await asyncio.sleep(0.05)


async def restart(target: Service) -> float:
    """Start a killed service again on the same port; seconds until it is ready."""
    return await asyncio.to_thread(
        target.process.start_until, target.is_ready, START_SECONDS, "ready again"
    )


@contextlib.asynccontextmanager
async def second_replicas(cluster: Cluster) -> AsyncIterator[list[Service]]:
    """A second replica of every service of ``cluster``, running until the block ends."""
    replicas = [_replica(first) for first in cluster.services.values()]
    try:
        await start(replicas)
        yield replicas
    finally:
        await stop(replicas)


def _replica(first: Service) -> Service:
    environment = dict(first.process.env)
    for name in OWN_VARIABLES:
        environment.pop(name, None)
    logs = first.process.log_path.parent
    cache = environment.get("AFTOMATO_BUILD_SCRIPTS_CACHE")
    if cache is not None:
        environment["AFTOMATO_BUILD_SCRIPTS_CACHE"] = f"{cache}-2"
    replica = service(first.name, environment, logs)
    replica.process.log_path = logs / f"{first.name}-2.log"
    return replica
