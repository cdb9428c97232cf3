"""Soak: signed GitHub push webhooks at a steady rate (default 50 a second for 10 minutes)
through the distributed set-up, then a drain; did every accepted push end as exactly one
succeeded build, how long did it take, and did the services' memory stay put?

The set-up is the end-to-end suite's (``tests/e2e/cluster.py``): ``aftomato ingest``,
``scheduler``, ``watcher`` and ``api`` as separate processes with their normal settings, on
private RabbitMQ, etcd and moto, around the fake Kubernetes API. One thing differs: the pods are
played by ``tests/support/fake_kube/simulated_node.py``, which moves each created pod through
Pending -> Running -> Succeeded with a three-line log and exit code 0 through the fake API's own
control functions, running no process. Fifty real builds a second cannot run on a two-core
machine (the entrypoint alone costs ~0.3 s of CPU); the services are what is soaked. The pushes
cycle over ``--projects`` projects (each its own build-scripts folder with ``build.sh``) times
``--branches`` branches, so the per-branch lock does not serialise them; the scheduler's global
limit (``AFTOMATO_MAX_RUNNING_BUILDS``) keeps its default, 0: no limit.

Figures (printed, then one JSON line):
- ``accepted``: pushes answered 202; ``built``: accepted builds whose record ended succeeded;
- ``duplicates`` (must be 0): pods beyond the first for one build, records no 202 named, and
  202s naming more than one build for one delivery;
- ``lost`` (must be 0): accepted builds without a final record once the drain has ended;
- ``p99_s``: 202 -> ``build.finished`` on the api's ``/api/v1/events`` (record and log stored),
  over every accepted build: a build not finished by the end of the drain counts as endless, so
  ``null`` when more than 1% did not finish;
- ``rss_mb_start`` / ``rss_mb_end``: each service's resident memory after a warm-up and after
  the drain (growth must stay under 20%).

    python -m bench.soak                 # 50/s for 600 s
    python -m bench.soak --seconds 60    # a short run while developing
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import tempfile
from collections import Counter
from pathlib import Path

from bench._e2e_phases import percentile
from bench._soak_client import GO, WARMED, ClientReport, Plan, run_client
from bench._soak_cluster import SoakCluster, soak_cluster
from bench._soak_scripts import make_soak_scripts, push_bodies
from bench._soak_verdict import all_records, judge
from tests.support.fake_kube.errors import Obj

BUILD_ID_LABEL = "aftomato.io/build-id"
RSS_GROWTH_LIMIT = 0.20
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BACK_ENDS = {"moto": b"moto_serial", "etcd": b"etcd\x00", "rabbitmq": b"beam.smp"}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to push")
    parser.add_argument("--rate", type=float, default=50.0, help="pushes a second")
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--branches", type=int, default=5, help="branches of each project")
    parser.add_argument(
        "--drain", type=float, default=180.0, help="longest wait for builds after the last push"
    )
    parser.add_argument(
        "--keep", type=Path, help="work (and leave the services' logs) in this new folder"
    )
    return parser.parse_args()


def rss(cluster: SoakCluster) -> dict[str, float]:
    return {name: round(s.rss_mb(), 1) for name, s in cluster.services.items()}


def cpu_seconds(cluster: SoakCluster) -> dict[str, float]:
    """CPU time so far of each service, of this process (the fake API and node) and of the
    back ends it started (moto, etcd, RabbitMQ), which may be what limits the pace."""
    used = {name: _cpu_seconds(s.pid) for name, s in cluster.services.items()}
    used["bench"] = _cpu_seconds(os.getpid())
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            for name, marker in BACK_ENDS.items():
                if marker in command:
                    used[name] = used.get(name, 0.0) + _cpu_seconds(pid)
    return used


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def with_client(
    cluster: SoakCluster, plan: Plan
) -> tuple[ClientReport, dict[str, float], dict[str, float], dict[str, float]]:
    """Run the client process through its warm-up and load; its report, the services' memory
    before and after the load, and the CPU seconds each used meanwhile."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    client = multiprocessing.get_context("spawn").Process(
        target=run_client, args=(plan, theirs), name="soak client"
    )
    client.start()
    theirs.close()  # so that recv raises EOFError should the client die
    try:
        if await asyncio.to_thread(ours.recv) != WARMED:
            raise RuntimeError("the client did not warm up")
        rss_start = rss(cluster)
        cpu_start = cpu_seconds(cluster)
        print(f"warmed up; RSS MiB {rss_start}", flush=True)
        ours.send(GO)
        report: ClientReport = await asyncio.to_thread(ours.recv)
        rss_end = rss(cluster)
        cpu = {k: round(v - cpu_start.get(k, 0.0), 1) for k, v in cpu_seconds(cluster).items()}
    finally:
        await asyncio.to_thread(client.join, 30.0)
        if client.is_alive():
            client.kill()
    return report, rss_start, rss_end, cpu


async def soak(options: argparse.Namespace, root: Path) -> dict[str, object]:
    scripts = make_soak_scripts(root / "build-scripts", options.projects)
    bodies = push_bodies(options.projects, options.branches)
    pods: Counter[str] = Counter()

    def pod_created(pod: Obj) -> None:
        pods[(pod["metadata"].get("labels") or {}).get(BUILD_ID_LABEL, "")] += 1

    async with soak_cluster(root / "cluster", scripts, {}, pod_created) as cluster:
        plan = Plan(
            cluster.ingest_url,
            cluster.api_url,
            bodies,
            options.rate,
            options.seconds,
            options.drain,
        )
        report, rss_start, rss_end, cpu = await with_client(cluster, plan)
        records = await all_records(cluster.aws)
    warm, tally, drained = report.warm_up, report.load, report.drained_seconds
    measured = set(tally.accepted)
    verdict = judge(measured | warm.accepted.keys(), measured, records, pods)
    latencies = [
        report.finished_at[b] - at for b, at in tally.accepted.items() if b in report.finished_at
    ]
    duplicates = verdict.duplicates(
        warm.deliveries_with_many_builds + tally.deliveries_with_many_builds
    )
    print(
        f"pushed {tally.sent} in {options.seconds:.0f} s at {options.rate:g}/s over"
        f" {len(bodies)} project branches; 202 {tally.deliveries_accepted},"
        f" refused {dict(tally.refused) or 'none'}"
    )
    print(
        f"drained in {drained:.0f} s; built (succeeded records) {verdict.built};"
        f" ended otherwise {dict(verdict.not_succeeded) or 'none'}"
    )
    print(
        f"lost {len(verdict.lost)} {verdict.lost[:5]}; duplicates {duplicates} (extra pods"
        f" {verdict.extra_pods}, records without a 202 {verdict.unaccepted_records})"
    )
    unfinished = len(tally.accepted) - len(latencies)
    p99 = percentile(latencies + [math.inf] * unfinished, 99) if tally.accepted else math.inf
    if latencies:
        print(
            f"202 -> build.finished: p50 {percentile(latencies, 50):.3f} s,"
            f" p99 {percentile(latencies, 99):.3f} s, max {max(latencies):.3f} s"
            f" over the {len(latencies)} finished; {unfinished} accepted did not finish"
        )
    print(f"CPU seconds used from the first push to the end of the drain: {cpu}")
    for name, start in rss_start.items():
        growth = rss_end[name] / start - 1
        verdict_word = "met" if growth < RSS_GROWTH_LIMIT else "NOT MET"
        print(f"  {verdict_word:8} {name} RSS {start} -> {rss_end[name]} MiB ({growth:+.1%})")
    return {
        "seconds": options.seconds,
        "rate": options.rate,
        "accepted": tally.deliveries_accepted,
        "built": verdict.built,
        "duplicates": duplicates,
        "lost": len(verdict.lost),
        "p99_s": round(p99, 3) if math.isfinite(p99) else None,
        "rss_mb_start": rss_start,
        "rss_mb_end": rss_end,
    }


async def main() -> dict[str, object]:
    options = arguments()
    if options.keep is not None:
        options.keep.mkdir(parents=True)
        return await soak(options, options.keep)
    with tempfile.TemporaryDirectory(prefix="aftomato-soak-") as folder:
        return await soak(options, Path(folder))


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
