"""Typed reads of nested fields in a decoded JSON body, with errors that name the field's path.

A path is dotted: ``"repository.full_name"``, ``"pull_request.head.sha"``; a segment of digits
indexes a list (``"changes.0.refId"``). ``null`` counts as missing, as SCMs send ``null`` for
fields they have no value for.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from aftomato.ingest.webhooks import PayloadError

T = TypeVar("T")

_KINDS: dict[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    dict: "an object",
    list: "a list",
}


def field(payload: object, path: str, kind: type[T]) -> T:
    """The value at ``path``; ``PayloadError`` if it is missing, null or not a ``kind``."""
    value = optional_field(payload, path, kind)
    if value is None:
        raise PayloadError(f"missing field {path}")
    return value


def optional_field(payload: object, path: str, kind: type[T]) -> T | None:
    """The value at ``path``, or None where it (or an object on the way) is missing or null."""
    value: Any = payload
    for segment in _segments(path):
        if type(value) is not dict:  # a list to index, or an error to name: the long way
            value = _walk(payload, path)
            break
        value = value.get(segment)
        if value is None:
            return None
    if value is None or type(value) is kind:  # the common case, without the checks below
        return value
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        # JSON true is not a number
        raise PayloadError(f"field {path} is not {_KINDS.get(kind, kind.__name__)}")
    checked: T = value
    return checked


def first_field(payload: object, paths: tuple[str, ...], kind: type[T]) -> T | None:
    """The first of ``paths`` that holds a value (a fallback chain), or None if none does."""
    for path in paths:
        value = optional_field(payload, path, kind)
        if value is not None:
            return value
    return None


def _walk(payload: object, path: str) -> Any:
    """The value at ``path`` through lists too (None where it, or something on the way, is
    missing or null), and the error naming where the path breaks."""
    if not isinstance(payload, dict):
        raise PayloadError("body is not a JSON object")
    current: Any = payload
    segments = _segments(path)
    for depth, segment in enumerate(segments):
        if isinstance(current, dict):
            current = current.get(segment)
        elif isinstance(current, list) and segment.isdigit():
            index = int(segment)
            current = current[index] if index < len(current) else None
        else:
            noun = "a list" if segment.isdigit() else "an object"
            raise PayloadError(f"field {'.'.join(segments[:depth])} is not {noun}")
        if current is None:
            return None
    return current


@functools.lru_cache(maxsize=1024)
def _segments(path: str) -> tuple[str, ...]:
    """``path`` split at its dots: the paths are a provider's constants, read on every delivery."""
    return tuple(path.split("."))
