"""``aftomato up`` as a user runs it: a subprocess on a free port, read from what it prints.

:meth:`UpProcess.start` returns once the banner is printed (the server listens); the URL, the
signed ``curl`` command and the token come from the banner and the data folder, as a user would
take them. A tiny JSON client over urllib asks the API what happened.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftomato.common.states import BuildState

START_SECONDS = 30.0
BUILD_SECONDS = 60.0
_URL = re.compile(r"Aftomato is up: (http://\S+?)/?$", re.MULTILINE)


@dataclass
class UpProcess:
    process: subprocess.Popen[str]
    data_dir: Path
    started_at: float
    output: list[str] = field(default_factory=list)
    url: str = ""
    _reader: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *arguments: str,
        temp_dir: Path | None = None,
        settings: dict[str, str] | None = None,
    ) -> UpProcess:
        """``settings``: AFTOMATO_* variables for this ``up`` (the caller's own are dropped)."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
        environment |= settings or {}
        if temp_dir is not None:
            environment["TMPDIR"] = str(temp_dir)
        command = [sys.executable, "-m", "aftomato.cli.main", "up", "--port", "0"]
        started_at = time.monotonic()
        process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir), *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
        up = cls(process, data_dir, started_at)
        up._reader.start()
        up.url = up._wait_for_url()
        return up

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            found = _URL.search(self.text)
            if found is not None:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"aftomato up printed no URL; it said:\n{self.text}")

    @property
    def text(self) -> str:
        return "".join(self.output)

    @property
    def curl(self) -> str:
        return next(line for line in self.text.splitlines() if line.startswith("curl "))

    @property
    def token(self) -> str:
        return (self.data_dir / "api-token").read_text().strip()

    def interrupt(self, within: float = 60.0) -> int:
        """Ctrl-C, and the exit code once it has stopped."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(within)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    # -- the API

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, data, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path: str) -> Any:
        status, body = self.request("GET", path)
        assert status == 200, f"GET {path}: {status} {body!r}"
        return json.loads(body)

    def launch(self, project: str, branch: str = "main") -> str:
        status, body = self.request(
            "POST", "/api/v1/builds", {"project": project, "branch": branch}
        )
        assert status == 202, f"launching {project}: {status} {body!r}"
        return str(json.loads(body)["build_id"])

    def wait_until(self, build_id: str, *states: BuildState) -> dict[str, Any]:
        deadline = time.monotonic() + BUILD_SECONDS
        wanted = {state.value for state in states}
        while time.monotonic() < deadline:
            build: dict[str, Any] = self.json(f"/api/v1/builds/{build_id}")
            if build["state"] in wanted or not build["is_building"]:
                return build
            time.sleep(0.1)
        raise AssertionError(f"build {build_id} did not reach {wanted}; up said:\n{self.text}")

    def log(self, build_id: str) -> str:
        status, body = self.request("GET", f"/api/v1/builds/{build_id}/log")
        assert status == 200, f"log of {build_id}: {status} {body!r}"
        return body.decode()
