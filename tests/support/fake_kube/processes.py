"""One container as a local process: started in a session of its own, its output streamed as it
comes, stopped as a kubelet stops a container (SIGTERM to its first process, then after the grace
period SIGKILL to everything it started)."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
from collections.abc import Callable

from tests.support.fake_kube.containers import LocalContainer

CHUNK = 64 * 1024


class ContainerProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, container: LocalContainer) -> ContainerProcess:
        """Start it; ``OSError`` when its program cannot be run."""
        container.working_dir.mkdir(parents=True, exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            *container.command,
            env=container.environment,
            cwd=container.working_dir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches all it started
        )
        return cls(process)

    async def stream(self, write: Callable[[str], None]) -> int:
        """Pass its output to ``write`` until it ends; its exit code as a kubelet reports it
        (``128 + n`` when a signal ended it). The container ends when its first process does:
        what that left running is killed with it."""
        reading = asyncio.create_task(self._read(write))
        code = await self._process.wait()
        self._kill_group()
        await reading
        return 128 - code if code < 0 else code

    async def _read(self, write: Callable[[str], None]) -> None:
        assert self._process.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while chunk := await self._process.stdout.read(CHUNK):
            if text := decoder.decode(chunk):
                write(text)
        if rest := decoder.decode(b"", final=True):
            write(rest)

    async def stop(self, grace_seconds: float) -> None:
        """SIGTERM, then SIGKILL for the whole group once ``grace_seconds`` have passed."""
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._process.wait()), grace_seconds)
        self._kill_group()

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
