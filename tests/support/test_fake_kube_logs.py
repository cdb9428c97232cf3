"""The pod log subresource of the fake, read whole and followed through kubernetes-asyncio."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import cast

import aiohttp
import pytest
from kubernetes_asyncio import watch
from kubernetes_asyncio.client import ApiException, CoreV1Api

from tests.support.fake_kube import FakeKube, as_pod, core_v1, error_status
from tests.support.fake_kube.samples import pod

NS = "aftomato-builds"


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        await api.create_namespaced_pod(NS, as_pod(pod("build-1")))
        two = pod("two", containers=("build", "db"), init_containers=("clone",))
        await api.create_namespaced_pod(NS, as_pod(two))
        yield api


def message(error: ApiException) -> str:
    return str(error_status(error)["message"])


async def test_a_log_without_follow_is_the_text_so_far(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.append_log(NS, "build-1", "main", "step 1\n")
    fake_kube.append_log(NS, "build-1", "main", "step 2\nstep")

    text = await v1.read_namespaced_pod_log("build-1", NS)

    assert text == "step 1\nstep 2\nstep"


async def test_tail_lines_and_limit_bytes(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.append_log(NS, "build-1", "main", "one\ntwo\nthree\n")

    tail = await v1.read_namespaced_pod_log("build-1", NS, tail_lines=2)
    head = await v1.read_namespaced_pod_log("build-1", NS, limit_bytes=6)

    assert (tail, head) == ("two\nthree\n", "one\ntw")


async def test_timestamps_prefix_every_line(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.append_log(NS, "build-1", "main", "one\ntwo\n")

    text = await v1.read_namespaced_pod_log("build-1", NS, timestamps=True)

    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z "
    assert re.fullmatch(f"{stamp}one\n{stamp}two\n", text)


async def test_the_container_is_picked_by_name(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.append_log(NS, "two", "build", "from build\n")
    fake_kube.append_log(NS, "two", "clone", "from clone\n")

    build = await v1.read_namespaced_pod_log("two", NS, container="build")
    clone = await v1.read_namespaced_pod_log("two", NS, container="clone")

    assert (build, clone) == ("from build\n", "from clone\n")


async def test_a_multi_container_pod_needs_a_container_name(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.read_namespaced_pod_log("two", NS)

    assert caught.value.status == 400
    assert message(caught.value) == (
        "a container name must be specified for pod two, choose one of: [build db]"
        " or one of the init containers: [clone]"
    )


async def test_an_unknown_container_is_400(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.read_namespaced_pod_log("two", NS, container="nope")

    assert caught.value.status == 400
    assert message(caught.value) == "container nope is not valid for pod two"


async def test_a_container_that_has_not_started_is_400(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.read_namespaced_pod_log("build-1", NS)

    assert caught.value.status == 400
    assert message(caught.value) == (
        'container "main" in pod "build-1" is waiting to start: ContainerCreating'
    )


async def test_the_log_of_a_missing_pod_is_404(v1: CoreV1Api) -> None:
    with pytest.raises(ApiException) as caught:
        await v1.read_namespaced_pod_log("missing", NS)

    assert caught.value.status == 404


async def follow_chunks(
    v1: CoreV1Api, chunks: asyncio.Queue[str | None], tail_lines: int = 1000
) -> None:
    """Read a followed log of build-1 chunk by chunk, as it arrives; None at its end."""
    # Without preloading the client returns the aiohttp response; its stubs say str.
    response = cast(
        aiohttp.ClientResponse,
        await v1.read_namespaced_pod_log(
            "build-1", NS, follow=True, tail_lines=tail_lines, _preload_content=False
        ),
    )
    async with response:
        async for data in response.content.iter_any():
            await chunks.put(data.decode())
    await chunks.put(None)


async def test_a_followed_log_streams_chunks_until_the_container_ends(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    fake_kube.start_container(NS, "build-1", "main")
    fake_kube.append_log(NS, "build-1", "main", "before\n")
    chunks: asyncio.Queue[str | None] = asyncio.Queue()
    reader = asyncio.create_task(follow_chunks(v1, chunks))

    async with asyncio.timeout(2):
        assert await chunks.get() == "before\n"
        fake_kube.append_log(NS, "build-1", "main", "live 1\n")
        assert await chunks.get() == "live 1\n"
        fake_kube.append_log(NS, "build-1", "main", "live 2\n")
        assert await chunks.get() == "live 2\n"
        fake_kube.finish_container(NS, "build-1", "main", exit_code=0)
        assert await chunks.get() is None
        await reader


async def test_a_followed_log_starts_with_the_tail(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    fake_kube.append_log(NS, "build-1", "main", "old\nnew\n")
    chunks: asyncio.Queue[str | None] = asyncio.Queue()
    reader = asyncio.create_task(follow_chunks(v1, chunks, tail_lines=1))

    async with asyncio.timeout(2):
        assert await chunks.get() == "new\n"
        fake_kube.append_log(NS, "build-1", "main", "live\n")
        assert await chunks.get() == "live\n"
        fake_kube.finish_log(NS, "build-1", "main")
        assert await chunks.get() is None
        await reader


async def test_a_followed_log_read_as_lines_ends_with_finish_log(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    fake_kube.append_log(NS, "build-1", "main", "a\n")
    lines: list[str] = []

    async def read() -> None:
        async with watch.Watch() as stream:
            async for line in stream.stream(v1.read_namespaced_pod_log, "build-1", NS):
                lines.append(line)

    reader = asyncio.create_task(read())
    async with asyncio.timeout(2):
        await fake_kube.wait_for(lambda: lines == ["a\n"])
        fake_kube.append_log(NS, "build-1", "main", "b\nc")
        fake_kube.finish_log(NS, "build-1", "main")
        await reader
    assert lines == ["a\n", "b\n", "c"]


async def test_a_followed_log_ends_when_the_pod_is_deleted(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    fake_kube.append_log(NS, "build-1", "main", "a\n")
    chunks: asyncio.Queue[str | None] = asyncio.Queue()
    reader = asyncio.create_task(follow_chunks(v1, chunks))

    async with asyncio.timeout(2):
        assert await chunks.get() == "a\n"
        await v1.delete_namespaced_pod("build-1", NS)
        assert await chunks.get() is None
        await reader
