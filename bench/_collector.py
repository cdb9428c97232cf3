"""Garbage collection kept out of a bench's measurements.

A bench process that offers load and plays the fake Kubernetes API stamps the times it measures;
a full collection of its heap stops its event loop (up to 115 ms, measured in ``bench.scheduler``
at 200 requests/s), and that pause would show as the latency of the service under test.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside; one full collection on the way out, off the clock."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
