"""Watches on the fake, consumed with kubernetes-asyncio's ``Watch`` as a service would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from kubernetes_asyncio import watch
from kubernetes_asyncio.client import ApiException, CoreV1Api

from tests.support.fake_kube import FakeKube, as_pod, core_v1
from tests.support.fake_kube.samples import pod

NS = "aftomato-builds"
Seen = tuple[str, str, str]  # (event type, pod name, phase or a bookmark's resourceVersion)


@pytest.fixture
async def v1(fake_kube: FakeKube) -> AsyncIterator[CoreV1Api]:
    async with core_v1(fake_kube.url) as api:
        yield api


async def collect(v1: CoreV1Api, count: int | None = None, **params: Any) -> list[Seen]:
    """Events of one watch of NS until ``count`` arrived or the stream ended."""
    seen: list[Seen] = []
    async with watch.Watch() as stream:
        async for event in stream.stream(v1.list_namespaced_pod, NS, **params):
            seen.append(_seen(event))
            if len(seen) == count:
                break
    return seen


def _seen(event: dict[str, Any]) -> Seen:
    if event["type"] == "BOOKMARK":  # kubernetes-asyncio leaves a bookmark's object a dict
        return ("BOOKMARK", "", event["object"]["metadata"]["resourceVersion"])
    obj = event["object"]  # a V1Pod
    return (event["type"], obj.metadata.name, obj.status.phase)


async def watching(fake: FakeKube, v1: CoreV1Api, count: int, **params: Any) -> asyncio.Task[Any]:
    """A background ``collect``, returned once its watch is open on the server."""
    opened = fake.counters.watches_opened
    task = asyncio.create_task(collect(v1, count, **params))
    async with asyncio.timeout(2):
        await fake.wait_for(lambda: fake.counters.watches_opened > opened)
    return task


async def test_a_watch_without_resource_version_starts_with_the_current_pods(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))

    seen = await collect(v1, 2, timeout_seconds=2)

    assert seen == [("ADDED", "a", "Pending"), ("ADDED", "b", "Pending")]


async def test_a_label_selected_watch_sees_only_matching_pods(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    task = await watching(fake_kube, v1, 2, label_selector="app=x", timeout_seconds=5)
    await v1.create_namespaced_pod(NS, as_pod(pod("other", {"app": "y"})))
    await v1.create_namespaced_pod(NS, as_pod(pod("mine", {"app": "x"})))
    fake_kube.set_phase(NS, "other", "Running")
    fake_kube.set_phase(NS, "mine", "Running")

    async with asyncio.timeout(2):
        seen = await task

    assert seen == [("ADDED", "mine", "Pending"), ("MODIFIED", "mine", "Running")]


async def test_a_watch_of_all_namespaces_sees_every_namespace(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    await v1.create_namespaced_pod("other", as_pod(pod("b")))
    seen: list[tuple[str, str]] = []

    async with watch.Watch() as stream:
        async for event in stream.stream(v1.list_pod_for_all_namespaces, timeout_seconds=5):
            seen.append((event["object"].metadata.namespace, event["object"].metadata.name))
            if len(seen) == 2:
                break

    assert seen == [(NS, "a"), ("other", "b")]


async def test_a_status_update_is_modified_with_the_new_phase(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    task = await watching(fake_kube, v1, 2, timeout_seconds=5)

    fake_kube.set_phase(NS, "a", "Succeeded", reason="Done")

    async with asyncio.timeout(2):
        seen = await task
    assert seen == [("ADDED", "a", "Pending"), ("MODIFIED", "a", "Succeeded")]


async def test_a_pod_that_stops_matching_is_deleted_for_the_watcher(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a", {"app": "x"})))
    task = await watching(fake_kube, v1, 3, label_selector="app=x", timeout_seconds=5)

    await v1.patch_namespaced_pod("a", NS, {"metadata": {"labels": {"app": "y"}}})
    await v1.patch_namespaced_pod("a", NS, {"metadata": {"labels": {"app": "x"}}})

    async with asyncio.timeout(2):
        seen = await task
    assert [kind for kind, _, _ in seen] == ["ADDED", "DELETED", "ADDED"]


async def test_a_resumed_watch_gets_exactly_the_events_after_its_version(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    mark = (await v1.list_namespaced_pod(NS)).metadata.resource_version
    fake_kube.set_phase(NS, "a", "Running")
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))
    await v1.delete_namespaced_pod("a", NS)

    seen = await collect(v1, 3, resource_version=mark, timeout_seconds=5)

    assert seen == [
        ("MODIFIED", "a", "Running"),
        ("ADDED", "b", "Pending"),
        ("DELETED", "a", "Running"),
    ]


async def test_timeout_seconds_ends_the_stream(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    loop = asyncio.get_running_loop()
    started = loop.time()

    seen = await collect(v1, timeout_seconds=1)

    assert seen == [("ADDED", "a", "Pending")]
    assert 0.9 <= loop.time() - started < 3


async def test_after_compact_an_old_version_gets_410_expired(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    fake_kube.set_phase(NS, "a", "Running")
    fake_kube.compact()

    with pytest.raises(ApiException) as caught:
        await collect(v1, resource_version="2", timeout_seconds=5)

    assert caught.value.status == 410
    assert caught.value.reason == "Expired: too old resource version: 2 (4)"
    assert fake_kube.counters.watches_expired == 1


async def test_a_version_older_than_the_kept_history_gets_410(v1: CoreV1Api) -> None:
    async with FakeKube(history_limit=2) as fake, core_v1(fake.url) as small:
        for name in ("a", "b", "c"):
            await small.create_namespaced_pod(NS, as_pod(pod(name)))

        kept = await collect(small, 2, resource_version="2", timeout_seconds=1)
        with pytest.raises(ApiException) as caught:
            await collect(small, resource_version="1", timeout_seconds=1)

    assert [name for _, name, _ in kept] == ["b", "c"]
    assert caught.value.status == 410


async def test_a_watch_forever_retries_410_once_then_raises(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    fake_kube.compact()

    with pytest.raises(ApiException) as caught:
        async with asyncio.timeout(2):
            await collect(
                v1, resource_version="1"
            )  # no timeout_seconds: kubernetes-asyncio retries

    assert caught.value.status == 410
    assert fake_kube.counters.watches_expired == 2


async def test_cut_watches_ends_open_streams(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    tasks = [await watching(fake_kube, v1, 10, timeout_seconds=30) for _ in range(2)]

    assert fake_kube.cut_watches() == 2

    async with asyncio.timeout(2):
        results = await asyncio.gather(*tasks)
    assert results == [[("ADDED", "a", "Pending")]] * 2
    assert fake_kube.open_watches == 0


async def test_a_watch_forever_resumes_after_a_cut_without_duplicates(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    task = await watching(fake_kube, v1, 3)  # no timeout_seconds: reconnects from the last version

    fake_kube.cut_watches()
    fake_kube.set_phase(NS, "a", "Running")
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))

    async with asyncio.timeout(2):
        seen = await task
    assert seen == [
        ("ADDED", "a", "Pending"),
        ("MODIFIED", "a", "Running"),
        ("ADDED", "b", "Pending"),
    ]
    assert [r.query for r in fake_kube.requests if "watch" in r.query] == [
        "watch=True",
        "resourceVersion=2&watch=True",
    ]


async def test_an_aborted_watch_breaks_the_consumer(fake_kube: FakeKube, v1: CoreV1Api) -> None:
    task = await watching(fake_kube, v1, 10)

    fake_kube.cut_watches(abort=True)

    with pytest.raises(aiohttp.ClientPayloadError):
        async with asyncio.timeout(2):
            await task


async def test_bookmarks_reach_only_watches_that_allow_them(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    with_marks = await watching(fake_kube, v1, 3, allow_watch_bookmarks=True, timeout_seconds=5)
    without = await watching(fake_kube, v1, 2, timeout_seconds=5)
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))

    fake_kube.bookmark()
    await v1.create_namespaced_pod(NS, as_pod(pod("b")))

    async with asyncio.timeout(2):
        marked, plain = await asyncio.gather(with_marks, without)
    assert marked == [("ADDED", "a", "Pending"), ("BOOKMARK", "", "2"), ("ADDED", "b", "Pending")]
    assert plain == [("ADDED", "a", "Pending"), ("ADDED", "b", "Pending")]


async def test_a_watch_the_client_leaves_is_closed_on_the_server(
    fake_kube: FakeKube, v1: CoreV1Api
) -> None:
    await v1.create_namespaced_pod(NS, as_pod(pod("a")))
    task = await watching(fake_kube, v1, 1)  # leaves after the first event

    async with asyncio.timeout(2):
        assert await task == [("ADDED", "a", "Pending")]
        await fake_kube.wait_for(lambda: fake_kube.open_watches == 0)
