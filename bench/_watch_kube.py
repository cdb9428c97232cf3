"""The fake Kubernetes API of ``bench.watcher``, in a process of its own, full of finished pods.

``python -m bench._watch_kube NAMESPACE=COUNT ...`` creates, in each namespace, ``COUNT`` build
pods from the scheduler's own manifest (build ids from :func:`bench_request`), plays kubelet to
their end (scripts cloned, build ran, printed :data:`LOG_LINES` lines, exited 0), prints the
server's URL on one line, and serves until its standard input closes. Its own process keeps the
fake's CPU and memory out of the figures of the process it serves.
"""

from __future__ import annotations

import asyncio
import sys

from aftomato.common.ids import derived_build_id
from aftomato.common.messages import BuildRequested, Source
from aftomato.common.scripts.config import ProjectConfig
from aftomato.common.settings import AwsSettings, ScriptsSettings
from aftomato.scheduler.manifests import build_pod
from aftomato.scheduler.pod_settings import PodContext, PodSettings
from tests.support.fake_kube import FakeKube

LOG_LINES = 200
"""About 16 KiB of console log per build."""


def bench_request(namespace: str, number: int) -> BuildRequested:
    """Build ``number`` of ``namespace``: on a branch of its own, so with a lock of its own."""
    branch = f"{namespace}-{number}"
    return BuildRequested(
        build_id=derived_build_id("generic", f"{namespace}/{number}", "bench/app", branch),
        project_key="bench/app",
        branch=branch,
        source=Source.GENERIC,
        delivery_id=f"{namespace}/{number}",
        commit="c" * 40,
    )


def finished_pod(fake: FakeKube, namespace: str, number: int) -> None:
    request = bench_request(namespace, number)
    context = PodContext(
        pod=PodSettings(),
        scripts=ScriptsSettings(repo="https://git.example.invalid/scripts.git"),
        aws=AwsSettings(),
        namespace=namespace,
    )
    manifest = build_pod(request, ProjectConfig(), context)
    name = manifest["metadata"]["name"]
    fake.store.create(namespace, manifest)
    fake.finish_container(namespace, name, "scripts", exit_code=0)
    fake.start_container(namespace, name, "build")
    fake.append_log(
        namespace,
        name,
        "build",
        "".join(
            f"step {line:04d} of build {number}: compiling, testing\n" for line in range(LOG_LINES)
        ),
    )
    fake.finish_container(namespace, name, "build", exit_code=0)
    fake.finish_log(namespace, name, "build")


async def serve(counts: dict[str, int]) -> None:
    # history_limit: every pod's changes stay in the history, so a watch from the listing's
    # resourceVersion never expires while the bench runs
    async with FakeKube(history_limit=1_000_000) as fake:
        for namespace, count in counts.items():
            for number in range(count):
                finished_pod(fake, namespace, number)
        print(fake.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    wanted = dict(argument.split("=", 1) for argument in sys.argv[1:])
    asyncio.run(serve({namespace: int(count) for namespace, count in wanted.items()}))
