"""Following a running build's console log as it is written.

:class:`LiveLogs` is the one thing the api needs from wherever builds run: the Kubernetes
implementation is :mod:`.kube_logs`; ``aftomato up`` brings one for its local processes. The log
is given from its first byte on every call, so a caller that followed part of it before skips
what it has (see :mod:`.log_stream`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from aftomato.common.records.model import BuildRecord


class LiveLogs(Protocol):
    def follow(self, build: BuildRecord) -> AsyncIterator[bytes]:
        """The build's console log from its start, in chunks as they are written.

        Ends when the log ends (the build script exited), and at once when there is nothing to
        follow (no build process or pod yet, or no longer).
        """
