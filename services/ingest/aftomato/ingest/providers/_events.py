"""Event dispatch: the event type from its header, then a typed table of handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aftomato.ingest.projection import Projection
from aftomato.ingest.webhooks import Headers, Parsed, PayloadError, ProjectionFor

Handler = Callable[[Any], Parsed]
"""Reads one kind of event from the decoded body."""


def event_type(headers: Headers, name: str) -> str:
    """The event type from header ``name``; ``PayloadError`` naming the header when missing."""
    value = headers.get(name, "").strip()
    if not value:
        raise PayloadError(f"missing header {name}")
    return value


def dispatch(
    handlers: Mapping[str, Handler], event: str, payload: Any, noun: str = "event"
) -> Parsed:
    """The handler's answer for ``event``; no build for an event without a handler."""
    handler = handlers.get(event)
    if handler is None:
        return Parsed.nothing(f"{noun} {event!r} does not build")
    return handler(payload)


def no_build(reason: str) -> Handler:
    """A handler for an event that never builds, whatever its body."""

    def handler(payload: Any) -> Parsed:
        return Parsed.nothing(reason)

    return handler


def projections(header: str, by_event: Mapping[str, Projection]) -> ProjectionFor:
    """The projection of the event named in ``header``, for the events that have one."""

    def projection_for(headers: Headers) -> Projection | None:
        return by_event.get(headers.get(header, "").strip())

    return projection_for
