"""Webhook to finished build: seconds from ingest's ``202`` to ``build.finished`` for a trivial
build (``examples/hello-world``), ``BUILDS`` builds one after another, in both modes:

- embedded: ``aftomato up``, one process (in-process bus and locks, SQLite, a local folder, the
  local executor);
- distributed: ``aftomato ingest``, ``scheduler``, ``watcher`` and ``api`` as processes on private
  RabbitMQ, etcd and moto, with the fake Kubernetes API and its node running each build pod (the
  end-to-end suite's set-up, ``tests/e2e/cluster.py``).

A build has finished when ``build.finished`` reaches a client of ``/api/v1/events`` (its record
and console log are stored by then). The baseline, measured in two halves around the modes, is the
build itself: the build-container entrypoint running the same script directly, no service
involved. Each mode prints where its median build spent its time, from the record's timestamps
(requested, scheduled, started, finished). The last line is one JSON object; RSS is each process's
resident memory after its run, in MiB.

    python -m bench.e2e               # 50 builds per mode
    BENCH_BUILDS=10 python -m bench.e2e
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import aiohttp

from bench._e2e_events import build_events
from bench._e2e_modes import Deployment, distributed, embedded
from bench._e2e_phases import Build, percentile, phases_line
from tests.e2e.cluster import BUILD_CONTAINER
from tests.e2e.webhooks import push, push_body

BUILDS = int(os.environ.get("BENCH_BUILDS", "50"))
PROJECT = "examples/hello-world"
BUILD_TIMEOUT = 60.0
EXAMPLES = Path(__file__).parents[1] / "examples" / "build-scripts"
TARGETS = {"embedded_p50_s": 1.5, "distributed_p50_s": 3.0}


async def measure(deployment: Deployment, builds: int) -> list[Build]:
    """``builds`` trivial builds, one after another, each timed from 202 to build.finished."""
    body = push_body(PROJECT)
    done: list[Build] = []
    async with aiohttp.ClientSession() as http, build_events(http, deployment.api_url) as events:
        for _ in range(builds):
            accepted = await push(http, deployment.ingest_url, body)
            async with asyncio.timeout(BUILD_TIMEOUT):
                await events.wait(accepted.build_id, "build.finished")
            moments = {"accepted": accepted.accepted_at} | events.seen[accepted.build_id]
            done.append(Build(accepted.build_id, moments))
    return done


async def run_mode(
    name: str, mode: Callable[[Path], AbstractAsyncContextManager[Deployment]], root: Path
) -> tuple[list[Build], dict[str, float]]:
    async with mode(root / name) as deployment:
        await measure(deployment, 2)  # warm up: first imports, first connections
        builds = await measure(deployment, BUILDS)
        rss = {f"{name}_{p.name}": round(p.rss_mb(), 1) for p in deployment.processes}
    print(f"{name}: {summary([b.seconds for b in builds])}")
    print(f"  where the median build's time went: {phases_line(builds)}")
    print(f"  resident memory (MiB): {rss}")
    return builds, rss


async def baseline(root: Path, runs: int) -> list[float]:
    """The entrypoint running the same build directly, as the local executor and pods do."""
    seconds = []
    for number in range(runs):
        env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(BUILD_CONTAINER),
            "BUILD_ID": f"baseline-{number}",
            "PROJECT_KEY": PROJECT,
            "BRANCH_TO_BUILD": "master",
            "AFTOMATO_BUILD_SCRIPTS_DIR": str(EXAMPLES),
            "AFTOMATO_WORKSPACE": str(root / f"baseline-{number}" / "workspace"),
            "AFTOMATO_ARTIFACTS_UPLOAD": "off",
        }
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "aftomato.entrypoint",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await process.wait() != 0:
            raise RuntimeError(f"the baseline build failed with {process.returncode}")
        seconds.append(time.monotonic() - started)
    return seconds


def summary(seconds: list[float]) -> str:
    return (
        f"p50 {percentile(seconds, 50):.3f} s, p99 {percentile(seconds, 99):.3f} s,"
        f" min {min(seconds):.3f} s, max {max(seconds):.3f} s over {len(seconds)}"
    )


async def main() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-e2e-") as folder:
        root = Path(folder)
        first = await baseline(root, BUILDS // 2)
        embedded_builds, embedded_rss = await run_mode("embedded", embedded, root)
        distributed_builds, distributed_rss = await run_mode("distributed", distributed, root)
        bare = first + await baseline(root, BUILDS - BUILDS // 2)
    print(f"baseline (the entrypoint alone): {summary(bare)}")
    result: dict[str, object] = {
        "builds": BUILDS,
        "embedded_p50_s": percentile([b.seconds for b in embedded_builds], 50),
        "embedded_p99_s": percentile([b.seconds for b in embedded_builds], 99),
        "distributed_p50_s": percentile([b.seconds for b in distributed_builds], 50),
        "distributed_p99_s": percentile([b.seconds for b in distributed_builds], 99),
        "baseline_p50_s": percentile(bare, 50),
        "baseline_p99_s": percentile(bare, 99),
        "rss_mb": embedded_rss | distributed_rss,
    }
    for key, target in TARGETS.items():
        value = result[key]
        assert isinstance(value, float)
        print(f"  {'met' if value < target else 'NOT MET':8} {key} < {target} s ({value:.3f} s)")
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
