"""The cheaper body decoding gives exactly what the standard library gives."""

from __future__ import annotations

import pytest

from aftomato.ingest.bodies import decode_payload
from aftomato.ingest.errors import BadPayload


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
        (b'{"big": 123456789012345678901234567890}', {"big": 123456789012345678901234567890}),
        (b'{"low": -9223372036854775809}', {"low": -9223372036854775809}),
        (b'{"a": 1, "a": 2}', {"a": 2}),
    ],
)
def test_json_bodies_decode_as_the_standard_parser_does(body: bytes, expected: object) -> None:
    assert decode_payload("application/json", body, form_allowed=False) == expected


def test_nan_is_read_as_the_standard_parser_reads_it() -> None:
    decoded = decode_payload("application/json", b'{"x": NaN}', form_allowed=False)
    assert decoded["x"] != decoded["x"]


def test_malformed_json_is_still_a_bad_payload() -> None:
    with pytest.raises(BadPayload, match="not valid JSON"):
        decode_payload("application/json", b'{"x": ', form_allowed=False)


def test_a_body_nested_too_deeply_is_a_bad_payload_not_a_crash() -> None:
    body = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(BadPayload, match="nests too deeply"):
        decode_payload("application/json", body, form_allowed=False)
