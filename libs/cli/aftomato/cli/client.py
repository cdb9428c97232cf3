"""The user commands' side of the REST API (docs/api.md): where it is, who asks, what it said.

``--server`` (``AFTOMATO_SERVER``, default ``aftomato up``'s address) and ``--token``
(``AFTOMATO_TOKEN``, else the token ``aftomato up`` saved in its data folder). Every failure to
reach the server or error it answers becomes one :class:`ClientError` with a one-line message
naming the server and the problem; :func:`run` prints it and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aftomato.cli.embedded.credentials import TOKEN_FILE
from aftomato.cli.embedded.settings import DEFAULT_PORT, UpSettings
from aftomato.common.settings import SettingsError, load

DEFAULT_SERVER = f"http://127.0.0.1:{DEFAULT_PORT}"
TIMEOUT_SECONDS = 30.0
STREAM_TIMEOUT_SECONDS = 3600.0
EXIT_ERROR = 2
"""The server could not be reached or answered an error (argparse uses 2 for usage, too)."""

Json = dict[str, Any]


class ClientError(Exception):
    """A one-line reason the command cannot go on."""


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=os.environ.get("AFTOMATO_SERVER") or DEFAULT_SERVER,
        help=f"the Aftomato server (AFTOMATO_SERVER, default {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("AFTOMATO_TOKEN") or None,
        help="API token (AFTOMATO_TOKEN, else the one aftomato up saved)",
    )


def saved_token() -> str | None:
    """The token ``aftomato up`` made and saved, if there is one."""
    try:
        path = load(UpSettings).data_dir / TOKEN_FILE
        return path.read_text().strip() or None
    except (OSError, SettingsError):
        return None


@dataclass(frozen=True)
class Api:
    server: str
    token: str | None

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> Api:
        return cls(args.server.rstrip("/"), args.token or saved_token())

    def get(self, path: str, **query: str | int | None) -> Json:
        return self._json(self._open("GET", path, query))

    def post(self, path: str, body: Json) -> Json:
        return self._json(self._open("POST", path, {}, body))

    def stream(self, path: str, **query: str | int | None) -> Iterator[bytes]:
        """The answer's body in chunks as they arrive (a followed log)."""
        with self._open("GET", path, query, timeout=STREAM_TIMEOUT_SECONDS) as response:
            while chunk := response.read1(64 * 1024):
                yield chunk

    def _open(
        self,
        method: str,
        path: str,
        query: dict[str, str | int | None],
        body: Json | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> Any:
        present = {name: value for name, value in query.items() if value is not None}
        if not self.server.startswith(("http://", "https://")):
            raise ClientError(f"--server must be an http:// or https:// URL, not {self.server!r}")
        url = self.server + path + (f"?{urlencode(present)}" if present else "")
        request = urllib.request.Request(url, method=method)  # noqa: S310 - http(s) only
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            return urllib.request.urlopen(request, data, timeout=timeout)  # noqa: S310
        except urllib.error.HTTPError as error:
            raise ClientError(_refusal(method, path, error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ClientError(
                f"cannot reach the Aftomato server at {self.server}: {reason}"
            ) from None

    def _json(self, response: Any) -> Json:
        with response:
            try:
                answer = json.loads(response.read())
            except ValueError:
                raise ClientError(f"{self.server} answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise ClientError(f"{self.server} answered an unexpected JSON value")
        return answer


def _refusal(method: str, path: str, error: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(error.read())["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = error.reason
    hint = " (give a token with --token or AFTOMATO_TOKEN)" if error.code in (401, 403) else ""
    return f"{method} {path}: the server answered {error.code}: {message}{hint}"


def run(command: str, action: Callable[[], int]) -> int:
    """Run ``action``; a :class:`ClientError` is one line on stderr and exit code 2."""
    try:
        return action()
    except ClientError as error:
        print(f"aftomato {command}: {error}", file=sys.stderr)  # noqa: T201
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def out(text: str) -> None:
    """One line for the user on stdout."""
    print(text, flush=True)  # noqa: T201


def write_bytes(chunk: bytes) -> None:
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
