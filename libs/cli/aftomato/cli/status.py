"""``aftomato status``: what the server is doing: its version, the queue, the active builds."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aftomato.cli.client import Api, add_connection_arguments, out, run
from aftomato.cli.output import build_line


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="aftomato status", description=__doc__)
    add_connection_arguments(parser)
    args = parser.parse_args(argv)
    api = Api.from_arguments(args)

    def show() -> int:
        version = api.get("/api/v1/version")
        queue = api.get("/api/v1/queue")
        active = api.get("/api/v1/builds/active")["builds"]
        out(f"Aftomato {version['version']} at {api.server}")
        if queue["open"]:
            out("queue: open")
        else:
            out(f"queue: CLOSED by {queue.get('closed_by')}: {queue.get('reason') or 'no reason'}")
        out(f"active builds: {len(active)}")
        for build in active:
            out("  " + build_line(build))
        return 0

    return run("status", show)
