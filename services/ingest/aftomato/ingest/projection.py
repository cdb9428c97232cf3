"""Decoding only the fields a parse reads, for the deliveries that come most often.

A GitHub push is some 8 KB of repository details, of which a build needs six fields. Decoding
all of it into Python objects was the largest part of ingest's own CPU time per delivery, about
35 of 110 µs measured inside the running service. A :data:`Projection` decodes the body with
msgspec into plain dicts that hold only the given dotted paths, and still checks the syntax of
the whole body (the UTF-8 of the strings it skips it does not check: ``bodies`` does).

Where the body does not fit (an object on a path is something else, a number past what msgspec
holds, ``NaN``, a lone surrogate), decoding raises ``msgspec.DecodeError`` and the caller decodes
the body whole, so that the provider sees what it always saw and names the field itself. Where it
fits, each path holds what the whole decode holds there: duplicate names resolve to the last one,
and integers stay exact at any length, as in the standard parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

import msgspec

Projection = msgspec.json.Decoder[Any]
"""Decodes a JSON body into nested dicts holding only some dotted paths (``msgspec.DecodeError``
when it does not fit)."""

Tree = dict[str, "Tree"]

_make_typed_dict: Any = TypedDict
"""Called with a computed field mapping, which type checkers only accept as a literal."""


def projection(paths: Iterable[str]) -> Projection:
    """A decoder of just ``paths`` (``"repository.full_name"``): every object on the way to a
    leaf may be null or missing, and the leaf may be any JSON value."""
    tree: Tree = {}
    for path in paths:
        node = tree
        for segment in path.split("."):
            if segment.isdigit():
                raise ValueError(f"a projection cannot index a list: {path!r}")
            node = node.setdefault(segment, {})
    return msgspec.json.Decoder(_object_type("Projected", tree))


def _object_type(name: str, tree: Tree) -> Any:
    """An object of only ``tree``'s names: ``total=False``, so a missing name stays missing."""
    fields = {
        key: _object_type(f"{name}_{key}", below) | None if below else Any
        for key, below in tree.items()
    }
    return _make_typed_dict(name, fields, total=False)
