"""The console log: the script's output copied byte for byte, and the entrypoint's own lines.

Everything goes straight to a file descriptor with ``os.write`` (no Python buffer, nothing to
flush), because the pod log is the console log and must be live. The entrypoint's own lines start
with ``[aftomato]`` and always begin on a line of their own.
"""

from __future__ import annotations

import os

MARK = b"[aftomato] "


class Console:
    """Writes to ``fd``; if the reader goes away, output is dropped and the build goes on."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._at_line_start = True
        self._broken = False

    def copy(self, data: bytes) -> None:
        """Write ``data`` as it is, all of it."""
        if not data or self._broken:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except BrokenPipeError:
            self._broken = True
        self._at_line_start = data.endswith(b"\n")

    def say(self, text: str) -> None:
        """One ``[aftomato]`` line, on a line of its own even after unterminated output."""
        start = b"" if self._at_line_start else b"\n"
        self.copy(start + MARK + text.encode("utf-8", "backslashreplace") + b"\n")
