"""The api's history query beside the same query on the build store, and live-log latency.

A project's 500 builds in DynamoDB (moto_server; the production store), then in SQLite (the
embedded store, fast enough that the api's own cost shows). The api runs on its own event loop in
a thread; the bench, on the main loop, asks for the newest 50 builds through ``GET
/api/v1/builds`` and directly with the store's ``history``, alternating one and the other, so
both see the same machine at the same moment. The final JSON line's main keys are DynamoDB's;
``sqlite_*`` are SQLite's. Then: requests/s
for the history endpoint with 8 clients in flight, and the delay from a log line written to a
running build's pod (the fake Kubernetes API's kubelet) to its arrival as an SSE event.

    python -m bench.api
    BENCH_QUICK=1 python -m bench.api    # a short smoke run
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.model import RecordUpdate
from aftomato.common.records.store import BuildStore
from aftomato.common.settings import AwsSettings
from aftomato.common.states import BuildState
from tests.api.embedded import Embedded, OpenRecords, embedded_api, sqlite_records
from tests.api.rig import NAMESPACE
from tests.support.fake_kube import as_pod, core_v1
from tests.support.fixtures import TEST_AWS_ENVIRONMENT
from tests.support.servers.moto import MotoServer, new_aws_names
from tests.watcher.rig import create_aws_resources

QUICK = os.environ.get("BENCH_QUICK") == "1"
BUILDS = 500
PAIRS = 100 if QUICK else 400
RPS_SECONDS = 3.0 if QUICK else 10.0
CLIENTS = 8
LOG_LINES = 50 if QUICK else 200
LINE_INTERVAL = 0.02
PROJECT = "team/app"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def seed(records: BuildStore) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(BUILDS):
        await records.apply(
            RecordUpdate(
                build_id=f"{number:032x}",
                project_key=PROJECT,
                branch="main" if number % 3 else "dev",
                state=BuildState.SUCCEEDED,
                requested_at=start + timedelta(minutes=number),
                exit_code=0,
                finished_at=start + timedelta(minutes=number, seconds=30),
            )
        )


async def latencies(
    api: Embedded, records: BuildStore, http: aiohttp.ClientSession
) -> dict[str, list[float]]:
    url = f"{api.url}/api/v1/builds"
    params = {"project": PROJECT, "limit": "50"}
    times: dict[str, list[float]] = {"api": [], "direct": []}
    for pair in range(PAIRS + 20):
        for side in ("api", "direct") if pair % 2 else ("direct", "api"):
            began = time.perf_counter()
            if side == "api":
                async with http.get(url, params=params) as response:
                    count = len((await response.json())["builds"])
            else:
                count = len((await records.history(PROJECT, limit=50)).records)
            if count != 50:
                raise RuntimeError(f"{side} returned {count} builds, not 50")
            if pair >= 20:  # the first pairs warm both up
                times[side].append((time.perf_counter() - began) * 1000)
    return times


async def history_rps(api: Embedded, http: aiohttp.ClientSession) -> float:
    url = f"{api.url}/api/v1/builds?project={PROJECT}&limit=50"
    done = 0
    deadline = time.perf_counter() + RPS_SECONDS

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with http.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"history answered {response.status}")
            done += 1

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return done / (time.perf_counter() - began)


async def log_delays(
    api: Embedded, records: BuildStore, http: aiohttp.ClientSession
) -> list[float]:
    build_id, pod = "f" * 32, "build-" + "f" * 32
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": pod, "labels": {"app.kubernetes.io/managed-by": "aftomato"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "build", "image": "busybox"}]},
    }
    async with core_v1(api.fake.url) as core:
        await core.create_namespaced_pod(NAMESPACE, as_pod(manifest))
    write = api.loop.call_soon_threadsafe
    write(api.fake.start_container, NAMESPACE, pod, "build")
    await records.apply(
        RecordUpdate(build_id=build_id, project_key=PROJECT, branch="main",
                     state=BuildState.RUNNING, pod_name=pod)
    )  # fmt: skip
    delays: list[float] = []
    async with http.get(f"{api.url}/api/v1/builds/{build_id}/log/events") as response:
        for line in range(LOG_LINES):
            write(api.fake.append_log, NAMESPACE, pod, "build", f"{time.perf_counter()} {line}\n")
            while True:
                raw = (await response.content.readline()).decode()
                if raw.startswith("data: "):
                    sent = float(json.loads(raw[6:])["text"].split()[0])
                    delays.append((time.perf_counter() - sent) * 1000)
                    break
            await asyncio.sleep(LINE_INTERVAL)
    return delays


async def measure(opener: OpenRecords, root: Path, *, logs: bool) -> dict[str, float]:
    """The figures with the api and the bench on the build store ``opener`` opens."""
    async with AsyncExitStack() as stack:
        records = await opener(root, stack)
        await seed(records)
        with embedded_api(root, opener) as api:
            async with aiohttp.ClientSession() as http:
                times = await latencies(api, records, http)
                rps = await history_rps(api, http)
                delays = await log_delays(api, records, http) if logs else []
    api_p99, direct_p99 = percentile(times["api"], 99), percentile(times["direct"], 99)
    result = {
        "api_p50_ms": round(statistics.median(times["api"]), 2),
        "api_p99_ms": round(api_p99, 2),
        "direct_p50_ms": round(statistics.median(times["direct"]), 2),
        "direct_p99_ms": round(direct_p99, 2),
        "ratio_p99": round(api_p99 / direct_p99, 3),
        "history_rps": round(rps, 1),
    }
    if delays:
        result["log_p50_ms"] = round(statistics.median(delays), 2)
        result["log_p99_ms"] = round(percentile(delays, 99), 2)
    return result


def dynamodb_opener(aws: AwsSettings) -> OpenRecords:
    async def open_records(_: Path, stack: AsyncExitStack) -> BuildStore:
        records = await DynamoDbStore.connect(aws)
        stack.push_async_callback(records.close)
        return records

    return open_records


def report(title: str, result: dict[str, float]) -> None:
    print(f"{title}: history of {BUILDS} builds, newest 50, {PAIRS} queries each side")
    print(f"  api    p50 {result['api_p50_ms']:7.2f} ms  p99 {result['api_p99_ms']:7.2f} ms")
    print(f"  direct p50 {result['direct_p50_ms']:7.2f} ms  p99 {result['direct_p99_ms']:7.2f} ms")
    print(f"  p99 ratio {result['ratio_p99']:.3f} (target <= 1.5)")
    print(f"  history endpoint: {result['history_rps']:.0f} req/s with {CLIENTS} clients")


def main() -> None:
    os.environ.update(TEST_AWS_ENVIRONMENT)
    # As every service runs (aftomato.common.service): what start-up loaded is never scanned
    # again, and young objects are collected less often; without it, collections of botocore's
    # large heap set the tail of both sides.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    with tempfile.TemporaryDirectory(prefix="aftomato-bench-api-") as folder:
        root = Path(folder)
        moto = MotoServer(root / "moto")
        moto.start()
        try:
            names = new_aws_names()
            aws = AwsSettings(
                endpoint_url=moto.url,
                table=names.table,
                logs_bucket=names.logs_bucket,
                artifacts_bucket=names.artifacts_bucket,
            )
            asyncio.run(create_aws_resources(aws))
            dynamodb = asyncio.run(measure(dynamodb_opener(aws), root / "dynamodb", logs=True))
        finally:
            moto.stop()
        sqlite = asyncio.run(measure(sqlite_records, root / "sqlite", logs=False))
    report("DynamoDB (moto_server, the production store)", dynamodb)
    report("SQLite (the embedded store: the api's own cost shows most)", sqlite)
    print(
        f"live log line to SSE client: p50 {dynamodb['log_p50_ms']:.1f} ms, "
        f"p99 {dynamodb['log_p99_ms']:.1f} ms over {LOG_LINES} lines (target p99 <= 1000 ms)"
    )
    print(json.dumps({**dynamodb, **{f"sqlite_{key}": value for key, value in sqlite.items()}}))


if __name__ == "__main__":
    main()
