"""How long the scheduler remembers finished builds: their notes hang on a shared lease.

A finished build's note (``builds/<id>`` saying ``done``) is what makes a late redelivery of its
request harmless. Kept forever, the notes would grow etcd without end, so they are written on a
:class:`SharedLease` that outlives the retention period by at most ``renew_seconds``: each
replica grants one such lease per ``renew_seconds`` and the notes written meanwhile expire
together.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aftomato.common.coordination import CoordinationStore
from aftomato.scheduler.shared_lease import SharedLease

RENEW_SECONDS = 3600


def retention(
    store: CoordinationStore,
    kept_seconds: int,
    *,
    renew_seconds: int = RENEW_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> SharedLease:
    """The lease that finished builds' notes are written on."""
    return SharedLease(store, kept_seconds, renew_seconds=renew_seconds, clock=clock)
