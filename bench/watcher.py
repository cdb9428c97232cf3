"""Watcher throughput: finished build pods finalised per second, beside a bare baseline.

Against a private etcd and moto (S3 and DynamoDB) and the fake Kubernetes API in a process of
its own (``bench._watch_kube``), holding ``PODS`` finished pods for the watcher and as many for
the baseline, each build seeded as the scheduler leaves it (a ``requested`` record, a lock on a
lease). The watcher is the real one: ``compose_watcher``'s components (pod watch, Tracker, record
consumer on the in-process bus) on the real DynamoDB, S3, etcd and Kubernetes clients, connected
once as ``aftomato watcher`` does. A round ends when it has deleted its last pod, which it does
only after the log is in S3, the record final and the lock released. The baseline
(``bench._watch_baseline``) makes the same S3, DynamoDB, etcd and Kubernetes calls directly.

Rounds alternate (watcher first, then baseline first) over ``ROUNDS`` namespaces each, so both
see the same machine, which other work shares. Resident memory is read after a warm-up round of
each (``WARM_UP`` pods) and after the last round. The last line is one JSON object.

    python -m bench.watcher
    BENCH_QUICK=1 python -m bench.watcher   # 200 pods each, a smoke run
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import tempfile
import time
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aetcd
import aioboto3
import aiohttp

from aftomato.common.blobs.s3 import S3BlobStore
from aftomato.common.bus.memory import InMemoryBroker, InMemoryBus
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.keys import BuildKeys
from aftomato.common.logging import configure_logging
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.settings import AwsSettings, EtcdSettings, LogSettings
from aftomato.watcher.kube_source import KubePodSource
from aftomato.watcher.pod_source import Pod, PodEvent
from aftomato.watcher.service import compose_watcher
from aftomato.watcher.settings import WatcherSettings
from bench._watch_baseline import Baseline
from bench._watch_rig import PREFIX, backends, fake_kube, seed
from tests.support.fake_kube import api_client
from tests.watcher.rig import create_aws_resources

QUICK = os.environ.get("BENCH_QUICK") == "1"
PODS = int(os.environ.get("BENCH_PODS", "200" if QUICK else "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
WARM_UP = 20
"""Pods each finalised before memory is first read: what grows in the first use of a client
(service models, connection pools, caches) is no growth over a thousand pods."""
ROUND_TIMEOUT = 600.0
TARGET_RATIO = 0.7
TARGET_GROWTH_MB = 20.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class CountedSource:
    """The watcher's pod source, telling when it has deleted ``expected`` pods."""

    def __init__(self, inner: KubePodSource, expected: int) -> None:
        self._inner = inner
        self._expected = expected
        self.deleted = 0
        self.all_deleted = asyncio.Event()

    async def list(self) -> tuple[list[Pod], str]:
        return await self._inner.list()

    def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        return self._inner.watch(resource_version, seconds)

    def log(self, name: str, *, follow: bool = False) -> AsyncGenerator[bytes, None]:
        return self._inner.log(name, follow=follow)

    async def delete(self, name: str) -> None:
        await self._inner.delete(name)
        self.deleted += 1
        if self.deleted >= self._expected:
            self.all_deleted.set()


@dataclass
class WatcherClients:
    """What ``aftomato watcher`` connects once at start-up."""

    records: DynamoDbStore
    logs: S3BlobStore
    artifacts: S3BlobStore
    coordination: EtcdStore
    kube_url: str

    async def round(self, namespace: str, pods: int) -> None:
        """Finalise the ``pods`` finished pods of ``namespace`` with a watcher of these clients."""
        async with api_client(self.kube_url) as client:
            source = CountedSource(KubePodSource(client, namespace), pods)
            parts = compose_watcher(
                bus=InMemoryBus(InMemoryBroker()),
                records=self.records,
                logs=self.logs,
                artifacts=self.artifacts,
                coordination=self.coordination,
                keys=BuildKeys(PREFIX),
                source=source,
                settings=WatcherSettings(),
            )
            stopping = asyncio.Event()
            tasks = [asyncio.create_task(c.run(stopping)) for c in parts.components]
            try:
                async with asyncio.timeout(ROUND_TIMEOUT):
                    await source.all_deleted.wait()
            finally:
                stopping.set()
                await asyncio.gather(*tasks)


async def watcher_clients(
    stack: AsyncExitStack, aws: AwsSettings, etcd: str, kube: str
) -> WatcherClients:
    records = await DynamoDbStore.connect(aws)
    stack.push_async_callback(records.close)
    logs = await S3BlobStore.connect(aws, aws.logs_bucket)
    stack.push_async_callback(logs.close)
    artifacts = await S3BlobStore.connect(aws, aws.artifacts_bucket)
    stack.push_async_callback(artifacts.close)
    coordination = await EtcdStore.connect(EtcdSettings(endpoints=(etcd,)))
    stack.push_async_callback(coordination.close)
    return WatcherClients(records, logs, artifacts, coordination, kube)


async def baseline(stack: AsyncExitStack, aws: AwsSettings, etcd: str, kube: str) -> Baseline:
    session = aioboto3.Session(region_name=aws.region)
    s3 = await stack.enter_async_context(session.client("s3", endpoint_url=aws.endpoint_url))
    dynamodb = await stack.enter_async_context(
        session.client("dynamodb", endpoint_url=aws.endpoint_url)
    )
    host, _, port = etcd.rpartition(":")
    etcd_client = aetcd.Client(host=host, port=int(port))
    await etcd_client.connect()
    stack.push_async_callback(etcd_client.close)
    http = await stack.enter_async_context(aiohttp.ClientSession())
    return Baseline(s3, dynamodb, etcd_client, http, kube, aws.table, aws.logs_bucket, PREFIX)


async def check_all_finalised(clients: WatcherClients) -> list[str]:
    """What is left undone: active records, held locks (pods left are counted by the rounds)."""
    problems = []
    if active := await clients.records.active():
        problems.append(f"{len(active)} records still active")
    if running := await clients.coordination.get_prefix(BuildKeys(PREFIX).all_running):
        problems.append(f"{len(running)} builds still hold their lock")
    return problems


async def one_round(
    clients: WatcherClients, base: Baseline, who: str, namespace: str, pods: int
) -> float:
    """Seconds ``who`` took to finalise the ``pods`` of ``namespace``, seeded just before (so
    the builds of other rounds are not active meanwhile)."""
    await seed(clients.records, clients.coordination, namespace, pods)
    cpu, started = time.process_time(), time.perf_counter()
    if who == "watcher":
        await clients.round(namespace, pods)
    else:
        done = await base.finalise_namespace(namespace)
        assert done == pods, f"the baseline found {done} pods"
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu) * 1000 / pods
    print(
        f"{namespace:12}: {pods / seconds:7.1f} pods/s,"
        f" {cpu_ms:5.1f} ms CPU per pod in this process, resident {rss_mb():.1f} MB"
    )
    return seconds


async def rounds(clients: WatcherClients, base: Baseline, per_round: int) -> tuple[float, float]:
    """Seconds the watcher and the baseline took, in rounds that alternate which goes first."""
    spent = {"watcher": 0.0, "baseline": 0.0}
    for number in range(ROUNDS):
        for who in ("watcher", "baseline") if number % 2 == 0 else ("baseline", "watcher"):
            spent[who] += await one_round(clients, base, who, f"{who}-{number}", per_round)
    return spent["watcher"], spent["baseline"]


async def main() -> None:
    configure_logging("bench", LogSettings(level="warning"))
    per_round = PODS // ROUNDS
    watched = [f"watcher-{n}" for n in range(ROUNDS)]
    bare = [f"baseline-{n}" for n in range(ROUNDS)]
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-watcher-") as folder:
        root = Path(folder)
        with backends(root) as found:
            await create_aws_resources(found.aws)
            counts = dict.fromkeys(watched + bare, per_round)
            counts |= {"warm-up-watcher": WARM_UP, "warm-up-baseline": WARM_UP}
            async with fake_kube(counts, root / "kube.log") as kube, AsyncExitStack() as stack:
                clients = await watcher_clients(stack, found.aws, found.etcd_endpoint, kube)
                base = await baseline(stack, found.aws, found.etcd_endpoint, kube)
                print(f"warming up on {WARM_UP} pods each (every client and code path used once)")
                for who in ("watcher", "baseline"):
                    await one_round(clients, base, who, f"warm-up-{who}", WARM_UP)
                print(f"{per_round} finished pods per round, {ROUNDS} rounds each")
                gc.collect()
                before = rss_mb()
                watcher_seconds, baseline_seconds = await rounds(clients, base, per_round)
                gc.collect()
                after = rss_mb()
                problems = await check_all_finalised(clients)
    report(per_round * ROUNDS, watcher_seconds, baseline_seconds, before, after, problems)


def report(
    pods: int,
    watcher_seconds: float,
    baseline_seconds: float,
    before: float,
    after: float,
    problems: list[str],
) -> None:
    result = {
        "watcher_pods_per_s": round(pods / watcher_seconds, 1),
        "baseline_pods_per_s": round(pods / baseline_seconds, 1),
        "ratio": round(baseline_seconds / watcher_seconds, 3),
        "rss_mb_before": round(before, 1),
        "rss_mb_after": round(after, 1),
    }
    print(
        f"{pods} pods each: watcher {result['watcher_pods_per_s']} pods/s, baseline"
        f" {result['baseline_pods_per_s']} pods/s, ratio {result['ratio']}; resident memory"
        f" {before:.1f} MB before, {after:.1f} MB after"
    )
    met = {
        f"ratio >= {TARGET_RATIO}": result["ratio"] >= TARGET_RATIO,
        f"memory growth < {TARGET_GROWTH_MB:.0f} MB": after - before < TARGET_GROWTH_MB,
        "every build finalised": not problems,
    }
    for name, ok in met.items():
        print(f"  {'met' if ok else 'NOT MET':7} {name}")
    for problem in problems:
        print(f"  left undone: {problem}")
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
