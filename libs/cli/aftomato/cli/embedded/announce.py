"""Says once, on stdout, where ``aftomato up`` answers and how to try it (see :mod:`.banner`)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aftomato.cli.embedded.banner import banner, signed_webhook_curl
from aftomato.cli.embedded.credentials import Credentials
from aftomato.common.http import HttpServer

ANY_ADDRESS = ("0.0.0.0", "::", "")  # noqa: S104 - compared with, not listened on


class Announce:
    name = "announce"

    def __init__(
        self, server: HttpServer, host: str, credentials: Credentials, data_dir: Path
    ) -> None:
        self._server = server
        self._host = host
        self._credentials = credentials
        self._data_dir = data_dir

    def ready(self) -> bool:
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        port = await self._server.wait_listening()
        host = "127.0.0.1" if self._host in ANY_ADDRESS else self._host
        url = f"http://{host}:{port}"
        secret = self._credentials.webhooks.secrets_for("generic")[0]
        text = banner(
            url, signed_webhook_curl(url, secret), self._credentials.token, str(self._data_dir)
        )
        sys.stdout.write(text)
        sys.stdout.flush()
        await stopping.wait()
