"""``aftomato``: one subcommand per process, as the containers run them, plus user commands.

Each subcommand lives in the module that implements it and exposes ``main(argv) -> int``; this
file only dispatches, importing the chosen module lazily so that ``aftomato ingest`` never loads
the api's code. A subcommand whose module has not been built yet says so and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "ingest": Command("aftomato.ingest.main", "run the webhook receiver"),
    "scheduler": Command(
        "aftomato.scheduler.main", "run the scheduler (locks, queues, build pods)"
    ),
    "watcher": Command("aftomato.watcher.main", "run the watcher (pod events, records, logs)"),
    "api": Command("aftomato.api.main", "run the REST API and web UI"),
    "up": Command("aftomato.cli.up", "run everything in one process on embedded back ends"),
    "build": Command("aftomato.cli.build", "start a build through the API and follow it"),
    "logs": Command("aftomato.cli.logs", "print or follow a build's console log"),
    "builds": Command("aftomato.cli.builds", "list a project's builds"),
    "status": Command("aftomato.cli.status", "show what the server is doing"),
    "aws": Command("aftomato.cli.aws", "set up AWS: 'aftomato aws bootstrap'"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aftomato",
        description="Aftomato, a CI build server on Kubernetes.",
        epilog="Configuration comes from AFTOMATO_* environment variables: see "
        "docs/configuration.md.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        commands.add_parser(name, help=command.help, add_help=False)
    return parser


def _load(command: Command) -> Callable[[Sequence[str]], int] | None:
    try:
        found = importlib.util.find_spec(command.module)
    except ModuleNotFoundError:
        found = None
    if found is None:
        return None
    entry: Callable[[Sequence[str]], int] = importlib.import_module(command.module).main
    return entry


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    chosen = _parser().parse_args(args[:1])
    command = COMMANDS[chosen.command]
    entry = _load(command)
    if entry is None:
        print(  # noqa: T201 - the command line speaks to its user
            f"aftomato {chosen.command}: not built yet in this version of Aftomato "
            f"({command.module} does not exist).",
            file=sys.stderr,
        )
        return 2
    return entry(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
