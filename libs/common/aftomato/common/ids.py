"""Identifiers: random event ids, and build ids derived from what asked for the build.

A build id derived from (source, delivery id, project, branch) makes a redelivered webhook or a
redelivered message name the same build, so nothing downstream ever makes a second one.
"""

from __future__ import annotations

import functools
import hashlib
import uuid

_NAMESPACE = uuid.UUID("6b1f1e36-4a4c-5d0e-9a57-61f70a7f6d10").bytes


def new_event_id() -> str:
    return uuid.uuid4().hex


def derived_build_id(
    source: str, delivery_id: str, project_key: str, branch: str, *, tag: bool = False
) -> str:
    """The same request, delivered any number of times, always yields the same build id.

    32 lowercase hex characters: safe in pod names, labels, S3 keys and URLs. A tag is told
    apart from a branch of the same name (one push may carry both).
    """
    parts = (source, delivery_id, project_key, branch) + (("tag",) if tag else ())
    return uuid5_hex(_NAMESPACE, "\x1f".join(parts))


def uuid5_hex(namespace: bytes, name: str) -> str:
    """``uuid.uuid5(UUID(bytes=namespace), name).hex`` without ``UUID`` objects, at half
    the cost (callgrind): ingest derives several ids per webhook."""
    digest = _hashed(namespace).copy()
    digest.update(name.encode())
    hexed = digest.hexdigest()
    # the first 16 bytes, with version 5 in the 13th digit and the RFC 4122 variant in the 17th
    return f"{hexed[:12]}5{hexed[13:16]}{_VARIANT[hexed[16]]}{hexed[17:32]}"


_VARIANT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}
"""A hex digit with its two high bits set to ``10``."""


@functools.lru_cache(maxsize=8)
def _hashed(namespace: bytes) -> hashlib._Hash:
    """SHA-1 with ``namespace`` taken in, copied for each name: OpenSSL looks the algorithm up
    every time a hash is made, which costs more than hashing a short name."""
    return hashlib.sha1(namespace, usedforsecurity=False)
