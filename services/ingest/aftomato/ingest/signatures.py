"""Webhook signature checks: HMAC-SHA256 of the body, or a shared token.

Both take a list of secrets so that a secret can be rotated: the old and the new one are both
configured for a while, and a delivery signed with either is accepted. Empty secrets are ignored
and an empty list accepts nothing (an unsigned endpoint is the HTTP layer's explicit choice, not a
side effect of a missing setting). Every comparison is constant time (``hmac.compare_digest``),
every secret is tried (the time taken does not tell which one matched), and malformed input
gives False, never an exception.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Sequence

from aftomato.ingest.webhooks import Headers, Verify

SHA256_PREFIX = "sha256="
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def hmac_sha256(secret: str, body: bytes) -> str:
    """The lower-case hex HMAC-SHA256 of ``body`` under ``secret``."""
    keyed = _keyed(secret).copy()
    keyed.update(body)
    return keyed.hexdigest()


@functools.lru_cache(maxsize=32)
def _keyed(secret: str) -> hmac.HMAC:
    """The HMAC state with ``secret`` taken in, copied for each body: that skips the key's own
    two SHA-256 blocks and the context's set-up, about a third of checking a small body."""
    return hmac.new(_utf8(secret), digestmod=hashlib.sha256)


def verify_hmac_sha256(
    signature: str | None, body: bytes, secrets: Sequence[str], *, prefix: str = SHA256_PREFIX
) -> bool:
    """True if ``signature`` is ``prefix`` + the hex HMAC-SHA256 of ``body`` under any secret."""
    if signature is None or not signature.startswith(prefix):
        return False
    digest = signature[len(prefix) :].strip()
    if _HEX_DIGEST.fullmatch(digest) is None:
        return False
    given = digest.lower().encode()
    matched = False
    for secret in secrets:
        if secret:
            matched |= hmac.compare_digest(given, hmac_sha256(secret, body).encode())
    return matched


def verify_token(token: str | None, secrets: Sequence[str]) -> bool:
    """True if ``token`` equals any of the (non-empty) ``secrets``."""
    if not token:
        return False
    given = _utf8(token)
    matched = False
    for secret in secrets:
        if secret:
            matched |= hmac.compare_digest(given, _utf8(secret))
    return matched


def hmac_header(header: str, *, prefix: str = SHA256_PREFIX) -> Verify:
    """A provider's ``verify``: HMAC-SHA256 of the body in header ``header``."""

    def verify(headers: Headers, body: bytes, secrets: Sequence[str]) -> bool:
        return verify_hmac_sha256(headers.get(header), body, secrets, prefix=prefix)

    return verify


def token_header(header: str) -> Verify:
    """A provider's ``verify``: a shared secret sent as is in header ``header``."""

    def verify(headers: Headers, body: bytes, secrets: Sequence[str]) -> bool:
        return verify_token(headers.get(header), secrets)

    return verify


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # never raises, whatever the header held
