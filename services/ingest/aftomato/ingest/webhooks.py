"""What a webhook provider module turns a delivery into: build requests, or a reason for none.

Every provider module (``providers/<name>.py``) is pure: it takes the request's headers and body
and returns a :class:`Parsed`; it never touches the network, the bus or the clock. The HTTP layer
verifies the signature first (with the provider's :class:`SignatureScheme`), then parses, then
publishes one ``build.requested`` per :class:`BuildRef`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from aftomato.common.messages import RefType
from aftomato.ingest.projection import Projection


class PayloadError(ValueError):
    """The body is not what the provider sends: the message names the missing or bad field."""


class BuildRef(NamedTuple):
    """One build the delivery asks for.

    A named tuple, like :class:`Parsed`: as immutable as a frozen dataclass, and built in a
    quarter of the instructions (a frozen dataclass sets each field through
    ``object.__setattr__``); every delivery builds them."""

    project_key: str
    branch: str
    ref_type: RefType = RefType.BRANCH
    commit: str | None = None
    repo_url: str | None = None
    actor: str | None = None
    pull_request: int | None = None
    parameters: Mapping[str, str] | None = None


class Parsed(NamedTuple):
    """The builds a delivery asks for; when there are none, ``reason`` says why (for the 2xx)."""

    builds: tuple[BuildRef, ...]
    reason: str | None = None

    @classmethod
    def nothing(cls, reason: str) -> Parsed:
        return cls((), reason)


Headers = Mapping[str, str]
"""Case-insensitive in practice (aiohttp's CIMultiDictProxy); tests pass a CIMultiDict."""

Parse = Callable[[Headers, Any], Parsed]
"""``parse(headers, payload)``: ``payload`` is the decoded JSON body."""

Verify = Callable[[Headers, bytes, Sequence[str]], bool]
"""``verify(headers, body, secrets)``: True if any secret signs the body (constant time)."""

ProjectionFor = Callable[[Headers], Projection | None]
"""The fields ``parse`` reads of this delivery's event, when the provider knows them."""


def whole_body(headers: Headers) -> None:
    """No projection: every event's body is decoded whole."""
    return None


@dataclass(frozen=True, slots=True)
class Provider:
    """One SCM: how its deliveries are signed, identified and parsed."""

    name: str
    """The provider's name as in ``build.requested.source`` and ``/hooks/<name>``."""
    signature_header: str
    """The header carrying the signature or token (401 when missing)."""
    verify: Verify
    delivery_id: Callable[[Headers, bytes], str]
    """The SCM's delivery id (a header); a hash of the body where the SCM sends none."""
    parse: Parse
    projection: ProjectionFor = whole_body
    """How to decode only what ``parse`` reads (:mod:`aftomato.ingest.projection`)."""
