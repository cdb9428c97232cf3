"""Container logs as the kubelet would serve them: appended in chunks, read whole or followed.

A container has a log once it has started (the test playing kubelet appended to it, started it,
or reported it running or terminated); until then the API server answers 400 "waiting to start".
A log is finished when its container terminates or its pod is deleted; followers then stop.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

_PIECES = re.compile(r"[^\n]*\n|[^\n]+")  # lines with their newline, and a last partial line


@dataclass(frozen=True)
class Chunk:
    text: str
    at: datetime


@dataclass
class ContainerLog:
    chunks: list[Chunk] = field(default_factory=list)
    finished: bool = False
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def append(self, text: str) -> None:
        if self.finished:
            raise ValueError("this container has terminated: its log is finished")
        self.chunks.append(Chunk(text, datetime.now(UTC)))
        self._wake()

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self._wake()

    def text(self) -> str:
        return "".join(chunk.text for chunk in self.chunks)

    async def changed(self) -> None:
        """Wait for the next append or for the end of the log."""
        await self._changed.wait()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f000Z ")


class LogCursor:
    """One reader's position in a log: the first read honours ``tail_lines``, later reads
    return what was appended since. With ``timestamps`` each line starts with the time its
    first character was written (RFC 3339, nanosecond digits)."""

    def __init__(self, log: ContainerLog, tail_lines: int | None, timestamps: bool) -> None:
        self._log = log
        self._tail_lines = tail_lines
        self._timestamps = timestamps
        self._next_chunk = 0
        self._at_line_start = True

    def first(self) -> str:
        lines: list[tuple[datetime, str]] = []
        for chunk in self._log.chunks:
            for piece in _PIECES.findall(chunk.text):
                if lines and not lines[-1][1].endswith("\n"):
                    lines[-1] = (lines[-1][0], lines[-1][1] + piece)
                else:
                    lines.append((chunk.at, piece))
        self._next_chunk = len(self._log.chunks)
        self._at_line_start = not lines or lines[-1][1].endswith("\n")
        if self._tail_lines is not None:
            lines = lines[len(lines) - min(self._tail_lines, len(lines)) :]
        return "".join((_stamp(at) if self._timestamps else "") + text for at, text in lines)

    def more(self) -> str:
        out: list[str] = []
        for chunk in self._log.chunks[self._next_chunk :]:
            for piece in _PIECES.findall(chunk.text):
                if self._timestamps and self._at_line_start:
                    out.append(_stamp(chunk.at))
                out.append(piece)
                self._at_line_start = piece.endswith("\n")
        self._next_chunk = len(self._log.chunks)
        return "".join(out)
