"""Delivery ids: what makes a redelivered webhook recognisable as the same delivery."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from aftomato.ingest.webhooks import Headers

MAX_DELIVERY_ID = 256
"""``build.requested.delivery_id`` holds at most this many characters."""
_PRINTABLE = re.compile(r"[\x21-\x7e]+")


def body_digest(body: bytes) -> str:
    """The delivery id of a body that came without one: identical bodies are one delivery."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def usable_id(value: str | None) -> str | None:
    """``value`` stripped if it can serve as a delivery id (printable ASCII, not too long)."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_DELIVERY_ID or _PRINTABLE.fullmatch(value) is None:
        return None
    return value


def delivery_id(headers: Headers, names: tuple[str, ...], body: bytes) -> str:
    """The first usable of the headers ``names``, else the body's digest. Never raises."""
    for name in names:
        value = usable_id(headers.get(name))
        if value is not None:
            return value
    return body_digest(body)


def delivery_from(*names: str) -> Callable[[Headers, bytes], str]:
    """A provider's ``delivery_id``: the first usable header of ``names``, else the digest."""

    def delivery(headers: Headers, body: bytes) -> str:
        return delivery_id(headers, names, body)

    return delivery
