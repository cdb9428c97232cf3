"""``aftomato build PROJECT --branch B [--follow]``: launch a build through the API.

Prints the build's id and page; with ``--follow``, its progress and its log as it runs, and
exits 0 if it succeeded, 1 if it ended otherwise, 2 if the server refused or was not reached.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aftomato.cli.client import Api, add_connection_arguments, out, run
from aftomato.cli.follow import follow
from aftomato.cli.output import exit_status


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"a parameter is NAME=VALUE, not {text!r}")
    return name, value


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="aftomato build", description=__doc__)
    parser.add_argument("project", help="project key, e.g. examples/hello-world")
    parser.add_argument("--branch", required=True, help="branch to build")
    parser.add_argument("--commit", help="commit to build (default: the branch's newest)")
    parser.add_argument(
        "--param", type=_parameter, action="append", default=[], metavar="NAME=VALUE",
        help="extra build environment (repeatable)",
    )  # fmt: skip
    parser.add_argument("-f", "--follow", action="store_true", help="show progress and the log")
    add_connection_arguments(parser)
    args = parser.parse_args(argv)
    api = Api.from_arguments(args)

    def launch() -> int:
        body = {"project": args.project, "branch": args.branch, "parameters": dict(args.param)}
        if args.commit:
            body["commit"] = args.commit
        answer = api.post("/api/v1/builds", body)
        out(f"build {answer['build_id']} requested: {api.server}{answer['page']}")
        if not args.follow:
            return 0
        return exit_status(follow(api, answer["build_id"]))

    return run("build", launch)
