import contextlib
import os
from collections.abc import Iterator

import pytest

from aftomato.entrypoint.console import Console


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        with contextlib.suppress(OSError):  # already closed by the test
            os.close(fd)


def test_output_is_copied_byte_for_byte(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    Console(write_fd).copy(b"caf\xc3\xa9 \xff\x00 raw\r\n")
    assert os.read(read_fd, 100) == b"caf\xc3\xa9 \xff\x00 raw\r\n"


def test_own_lines_are_marked_and_start_on_a_line_of_their_own(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    console = Console(write_fd)
    console.say("first")
    console.copy(b"partial")
    console.say("second")
    console.copy(b"whole line\n")
    console.say("third \udcff")
    assert os.read(read_fd, 1000) == (
        b"[aftomato] first\npartial\n[aftomato] second\nwhole line\n[aftomato] third \\udcff\n"
    )


def test_a_reader_that_went_away_does_not_stop_the_build(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    os.close(read_fd)
    console = Console(write_fd)
    console.copy(b"nobody reads this")
    console.say("nor this")
