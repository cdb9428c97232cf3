"""``aftomato logs BUILD [-f]``: a build's console log; with ``-f``, followed while it runs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aftomato.cli.client import Api, add_connection_arguments, run, write_bytes


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="aftomato logs", description=__doc__)
    parser.add_argument("build_id", metavar="BUILD", help="the build's id (32 hex characters)")
    parser.add_argument("-f", "--follow", action="store_true", help="follow until the build ends")
    add_connection_arguments(parser)
    args = parser.parse_args(argv)
    api = Api.from_arguments(args)

    def show() -> int:
        path = f"/api/v1/builds/{args.build_id}/log"
        for chunk in api.stream(path, follow=1 if args.follow else None):
            write_bytes(chunk)
        return 0

    return run("logs", show)
