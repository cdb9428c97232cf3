"""moto's server with one request handled at a time.

moto checks a conditional write and stores the item in two steps with no lock between them, so
two concurrent writes can both pass their condition; real DynamoDB and S3 are atomic. Tests of
concurrent writers need the real behaviour, so this server lets requests in one by one (the body
is produced inside the lock too). Usage: ``python -m tests.support.servers.moto_serial HOST PORT``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def serialised(app: App) -> App:
    lock = threading.Lock()

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return one_at_a_time


def main(host: str, port: int) -> None:
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialised(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
