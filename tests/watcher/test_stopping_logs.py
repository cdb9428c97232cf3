"""Following a stopping pod's log: the whole of it once the stream ends, nothing kept after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from aftomato.watcher.pod_source import Pod, PodEvent
from aftomato.watcher.stopping_logs import StoppingLogs


class StreamingLogs:
    """A pod source whose one log is fed by the test and ends when the test says so."""

    def __init__(self) -> None:
        self.lines: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.follows = 0

    async def list(self) -> tuple[list[Pod], str]:
        return [], "1"

    async def watch(self, resource_version: str, seconds: float) -> AsyncGenerator[PodEvent, None]:
        return
        yield

    async def log(self, name: str, *, follow: bool = False) -> AsyncGenerator[bytes, None]:
        self.follows += follow
        while (line := await self.lines.get()) is not None:
            yield line

    async def delete(self, name: str) -> None:
        return None


async def collected(stopping: StoppingLogs, pod: str) -> bytes:
    capture = await stopping.take(pod)
    assert capture is not None
    try:
        assert capture.whole
        return b"".join([chunk async for chunk in capture.chunks()])
    finally:
        capture.close()


async def test_a_followed_log_is_whole_once_its_stream_ends() -> None:
    source = StreamingLogs()
    stopping = StoppingLogs(source)
    stopping.follow("build-a")
    stopping.follow("build-a")  # a second sight starts nothing more
    for line in (b"started\n", b"x" * 300_000 + b"\n", b"cleaning up on SIGTERM\n"):
        source.lines.put_nowait(line)
    source.lines.put_nowait(None)
    log = await collected(stopping, "build-a")
    assert log == b"started\n" + b"x" * 300_000 + b"\ncleaning up on SIGTERM\n"
    assert source.follows == 1


async def test_a_stream_that_does_not_end_is_given_up_and_kept_as_far_as_it_went() -> None:
    source = StreamingLogs()
    stopping = StoppingLogs(source, end_wait_seconds=0.2)
    stopping.follow("build-b")
    source.lines.put_nowait(b"half\n")
    await asyncio.sleep(0.05)
    capture = await stopping.take("build-b")
    assert capture is not None
    assert not capture.whole
    assert b"".join([chunk async for chunk in capture.chunks()]) == b"half\n"
    capture.close()


async def test_a_pod_never_followed_has_no_capture_and_a_discarded_one_none_left() -> None:
    source = StreamingLogs()
    stopping = StoppingLogs(source)
    assert await stopping.take("build-c") is None
    stopping.follow("build-d")
    await stopping.discard("build-d")  # its build was finished by another watcher
    assert await stopping.take("build-d") is None
    await stopping.close()
