"""Failure injection and a request log, for tests that check how a client copes and what it sent.

``Faults`` holds planned failures: the next ``times`` requests matching a method and a path
fragment get an error Status instead of an answer (a 500, a 503, a 429 ...).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Fault:
    method: str  # "GET", "POST", ... or "*" for any
    path_contains: str
    status: int
    message: str
    times: int

    def matches(self, method: str, path: str) -> bool:
        return self.method in {"*", method} and self.path_contains in path


@dataclass
class RequestRecord:
    """One request, logged as it arrives; ``status`` is None until it is answered (a watch or a
    followed log is answered when its stream ends)."""

    method: str
    path: str
    query: str
    status: int | None = None


class Faults:
    def __init__(self) -> None:
        self._planned: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._planned.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first planned fault for this request, used up by one."""
        for fault in self._planned:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self._planned.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._planned.clear()
