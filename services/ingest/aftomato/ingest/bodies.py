"""Reading a webhook body safely: bounded in size, decoded by its content type.

A body over the limit is refused as soon as its length is known (from ``Content-Length``, or
while it streams in), never read whole. JSON is accepted from every provider; GitHub may also send
``application/x-www-form-urlencoded`` with the JSON in a ``payload`` field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import msgspec
import orjson
from aiohttp import web

from aftomato.ingest.errors import BadPayload, TooLarge, UnsupportedMediaType
from aftomato.ingest.projection import Projection

FORM = "application/x-www-form-urlencoded"
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= code <= 0x39 else 0x20 for code in range(256))
_LONG_NUMBER = b"0" * 19
"""Digits enough to pass -2**63 (19, with a minus) or 2**64 (20): a run of them, once every digit
reads ``0``, is where orjson (a float past 64 bits) and the standard parser (an int) may read a
number apart. (A regular expression costs ten times the parse.)"""


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw body (signatures are computed over these bytes), or :class:`TooLarge`."""
    length = request.content_length  # parsed from the header on every read
    if length is not None and length > limit:
        raise TooLarge(f"the body is {length} bytes; the limit is {limit}")
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


def decode_payload(
    content_type: str, body: bytes, *, form_allowed: bool, projection: Projection | None = None
) -> Any:
    """The JSON document a provider sent, or :class:`BadPayload` / :class:`UnsupportedMediaType`.

    With a ``projection``, only its fields where the body fits it, else the whole document."""
    if is_json_type(content_type):
        text = body
    elif content_type == FORM and form_allowed:
        text = _form_payload(body)
    else:
        accepted = "application/json" + (f" or {FORM}" if form_allowed else "")
        raise UnsupportedMediaType(f"content type {content_type!r} is not {accepted}")
    if projection is not None:
        try:
            return _projected(projection, text)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            pass  # decoded whole below, and the provider names what does not fit
    # orjson is several times faster; it refuses NaN and reads integers past 64 bits as floats,
    # so the standard parser reads what it refuses and any body with a number that long
    if _LONG_NUMBER not in text.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadPayload(f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise BadPayload("the body is not valid JSON: it nests too deeply") from None


def _projected(projection: Projection, text: bytes) -> Any:
    if not text.isascii():  # msgspec does not check the strings it skips: what json.loads reads
        text.decode("utf-8", "surrogatepass")
    return projection.decode(text)


def _form_payload(body: bytes) -> bytes:
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=16)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPayload(f"the form body is malformed: {error}") from None
    payload = fields.get("payload")
    if not payload:
        raise BadPayload("missing field payload in the form body")
    return payload[0].encode()
