"""``aftomato builds PROJECT``: a project's builds, newest first."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aftomato.cli.client import Api, add_connection_arguments, out, run
from aftomato.cli.output import build_line


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="aftomato builds", description=__doc__)
    parser.add_argument("project", help="project key, e.g. examples/hello-world")
    parser.add_argument("--branch", help="only this branch")
    parser.add_argument("--limit", type=int, default=20, help="how many (1-100, default 20)")
    add_connection_arguments(parser)
    args = parser.parse_args(argv)
    api = Api.from_arguments(args)

    def show() -> int:
        answer = api.get(
            "/api/v1/builds", project=args.project, branch=args.branch, limit=args.limit
        )
        for build in answer["builds"]:
            out(build_line(build))
        if not answer["builds"]:
            out(f"no builds of {args.project}" + (f" on {args.branch!r}" if args.branch else ""))
        return 0

    return run("builds", show)
