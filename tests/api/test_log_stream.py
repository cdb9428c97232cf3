"""Cutting a log into lines, and skipping what a client already has."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aftomato.api.log_stream import Lines, _after


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_lines_are_cut_at_newlines_across_chunks_and_utf8_splits() -> None:
    lines = Lines()
    euro = "€".encode()
    assert lines.feed(b"one\r\ntw") == ["one"]
    assert lines.feed(b"o\n" + euro[:1]) == ["two"]
    assert lines.feed(euro[1:] + b"\n\n\x1b[1mbold") == ["€", ""]
    assert lines.close() == ["\x1b[1mbold"]
    assert lines.close() == []


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert Lines().feed(b"\xff\xfe ok\n") == ["\ufffd\ufffd ok"]


async def test_after_skips_exactly_the_bytes_already_sent() -> None:
    got = [chunk async for chunk in _after(chunks(b"abc", b"def", b"gh"), 4)]
    assert got == [b"ef", b"gh"]
    assert [chunk async for chunk in _after(chunks(b"abc"), 3)] == []
    assert [chunk async for chunk in _after(chunks(b"abc"), 0)] == [b"abc"]
