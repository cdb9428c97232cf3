"""``aftomato up`` as a child process for the browser suite, with build scripts of its own.

The scripts pause on a gate file per branch, so a test decides when a build moves on: it can
watch lines arrive while the build runs, then let it finish, on a machine of any speed.
"""

from __future__ import annotations

import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers.ports import LOOPBACK, free_port
from tests.support.servers.process import ServerProcess

AFTOMATO = str(Path(sys.executable).parent / "aftomato")
START_SECONDS = 90.0  # four services in one process on a loaded two-core machine
ARTIFACT_TEXT = "12 tests passed\n"

GATED = """#!/usr/bin/env bash
# Three lines, a pause until the test opens this branch's gate, three more lines, an artifact.
set -euo pipefail
gate="{gates}/$BRANCH_TO_BUILD"
for step in 1 2 3; do
  printf '\\033[32mstep %s of 6\\033[0m on %s\\n' "$step" "$BRANCH_TO_BUILD"
done
printf '\\033[38;5;208mwaiting for the gate\\033[0m\\n'
for ((waited = 0; waited < 1200; waited++)); do
  [[ -e "$gate" ]] && break
  sleep 0.1
done
for step in 4 5 6; do
  printf '\\033[1;34mstep %s of 6\\033[0m\\n' "$step"
done
mkdir -p "$ARTIFACTS_DIR/reports"
printf '{artifact}' > "$ARTIFACTS_DIR/reports/summary.txt"
echo "done"
"""

ENDLESS = """#!/usr/bin/env bash
# Runs until it is cancelled.
set -euo pipefail
echo "running until cancelled"
while true; do sleep 0.2; done
"""


@dataclass(frozen=True)
class UiServer:
    url: str
    token: str
    gates: Path

    def open_gate(self, branch: str) -> None:
        (self.gates / branch).touch()


def write_scripts(root: Path, gates: Path) -> Path:
    scripts = root / "scripts"
    for project, text in {
        "ui/gated": GATED.format(gates=gates, artifact=ARTIFACT_TEXT.replace("\n", "\\n")),
        "ui/endless": ENDLESS,
    }.items():
        folder = scripts / project
        folder.mkdir(parents=True)
        (folder / "build.sh").write_text(text)
        (folder / "build.sh").chmod(0o755)
    return scripts


@contextmanager
def running_up(root: Path, **settings: str) -> Iterator[UiServer]:
    """``aftomato up`` on a free port with a data folder and build scripts under ``root``;
    ``settings`` are more ``AFTOMATO_*`` variables."""
    gates = root / "gates"
    gates.mkdir()
    scripts = write_scripts(root, gates)
    port = free_port()
    token = secrets.token_hex(16)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AFTOMATO_")}
    environment = {
        **inherited,
        "AFTOMATO_API_TOKENS": f"ui-operator:operator:{token}",
        "AFTOMATO_LOG_FORMAT": "json",
        **settings,
    }
    argv = [AFTOMATO, "up", "--host", LOOPBACK, "--port", str(port)]
    argv += ["--data-dir", str(root / "data"), "--scripts", str(scripts)]
    process = ServerProcess(
        "aftomato up", argv, env=environment, cwd=root, log_path=root / "up.log"
    )
    url = f"http://{LOOPBACK}:{port}"
    process.start_until(lambda: _ready(url), START_SECONDS, "ready")
    try:
        yield UiServer(url, token, gates)
    finally:
        process.stop(grace=30.0)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False
