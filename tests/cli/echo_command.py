"""A stand-in subcommand for test_main: checks the arguments it was given."""

from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    return 42 if list(argv) == ["--verbose", "now"] else 1
