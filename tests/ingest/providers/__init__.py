"""Helpers for the provider tests: the copied payloads, their variants, and request headers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from multidict import CIMultiDict

PAYLOADS = Path(__file__).parent.parent / "payloads"

REMOVE = object()
"""A value for :func:`changed` that deletes the field instead of setting it."""


def payload_bytes(provider: str, name: str) -> bytes:
    return (PAYLOADS / provider / name).read_bytes()


def load(provider: str, name: str) -> Any:
    """The decoded body of ``payloads/<provider>/<name>``, a fresh copy each time."""
    return json.loads(payload_bytes(provider, name))


def changed(payload: Any, changes: dict[str, object]) -> Any:
    """A deep copy of ``payload`` with each dotted path set (or removed, for :data:`REMOVE`)."""
    result = copy.deepcopy(payload)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = result
        for segment in parents:
            target = target[int(segment)] if isinstance(target, list) else target[segment]
        key: int | str = int(last) if isinstance(target, list) else last
        if value is REMOVE:
            del target[key]
        else:
            target[key] = value
    return result


def headers(**values: str) -> CIMultiDict[str]:
    """Headers as aiohttp hands them over: case-insensitive. ``x_github_event`` is the
    ``x-github-event`` header (lower case on purpose: the names are not case-sensitive)."""
    return CIMultiDict({name.replace("_", "-"): value for name, value in values.items()})
