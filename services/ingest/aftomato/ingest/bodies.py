"""Reading a webhook body safely: bounded in size, decoded by its content type.

A body over the limit is refused as soon as its length is known (from ``Content-Length``, or
while it streams in), never read whole. JSON is accepted from every provider; GitHub may also send
``application/x-www-form-urlencoded`` with the JSON in a ``payload`` field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from aftomato.ingest.errors import BadPayload, TooLarge, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw body (signatures are computed over these bytes), or :class:`TooLarge`."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def decode_payload(content_type: str, body: bytes, *, form_allowed: bool) -> Any:
    """The JSON document a provider sent, or :class:`BadPayload` / :class:`UnsupportedMediaType`."""
    if is_json_type(content_type):
        text = body
    elif content_type == FORM and form_allowed:
        text = _form_payload(body)
    else:
        accepted = "application/json" + (f" or {FORM}" if form_allowed else "")
        raise UnsupportedMediaType(f"content type {content_type!r} is not {accepted}")
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadPayload(f"the body is not valid JSON: {error}") from None


def _form_payload(body: bytes) -> bytes:
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=16)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPayload(f"the form body is malformed: {error}") from None
    payload = fields.get("payload")
    if not payload:
        raise BadPayload("missing field payload in the form body")
    return payload[0].encode()
