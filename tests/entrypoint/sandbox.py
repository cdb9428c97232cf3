"""Run the entrypoint as a build pod does: ``python -m aftomato.entrypoint`` in a subprocess.

A :class:`Sandbox` is a temporary folder with build scripts, a workspace and an artifacts folder,
and an environment that points the entrypoint at them (upload off unless a test turns it on).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BUILD_CONTAINER = REPOSITORY / "build-container"
EXAMPLE_SCRIPTS = REPOSITORY / "examples" / "build-scripts"
COMMAND = (sys.executable, "-m", "aftomato.entrypoint")
MARK = "[aftomato] "

MEASURING_LAUNCHER = (
    sys.executable,
    "-c",
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss * 1024))\n"
    "sys.exit(code)\n",
)
"""``[*MEASURING_LAUNCHER, <file>, *command]`` runs the command, then writes the largest resident
set (bytes) of it and its children into <file>. A small launcher of its own, because a child's
peak counts the memory of the process it was forked from, and pytest's is large."""
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Finished:
    exit_code: int
    output: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")

    def marked(self) -> list[str]:
        """The entrypoint's own lines, without the mark."""
        return [line[len(MARK) :] for line in self.text.splitlines() if line.startswith(MARK)]


class Sandbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.scripts = root / "scripts"
        self.workspace = root / "build" / "workspace"
        self.artifacts = root / "build" / "artifacts"
        self.scripts.mkdir(parents=True)
        self._upload: dict[str, str] = {"AFTOMATO_ARTIFACTS_UPLOAD": "off"}

    def upload_to(self, endpoint_url: str, bucket: str, credentials: Mapping[str, str]) -> None:
        """Builds from now on upload their artifacts to ``bucket`` at ``endpoint_url``."""
        self._upload = {
            **credentials,
            "AFTOMATO_ARTIFACTS_UPLOAD": "on",
            "AFTOMATO_AWS_ENDPOINT_URL": endpoint_url,
            "AFTOMATO_ARTIFACTS_BUCKET": bucket,
        }

    def write_script(self, project_key: str, body: str) -> Path:
        """``<scripts>/<project_key>/build.sh`` with ``body`` (not executable: bash runs it)."""
        script = self.scripts / project_key / "build.sh"
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(body)
        return script

    def environment(self, **variables: str | None) -> dict[str, str]:
        """A clean environment for one build of ``demo/project``; None removes a variable.

        Artifact upload is off unless :meth:`upload_to` turned it on.
        """
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(BUILD_CONTAINER),
            "AWS_EC2_METADATA_DISABLED": "true",
            "BUILD_ID": "build-1",
            "PROJECT_KEY": "demo/project",
            "BRANCH_TO_BUILD": "main",
            "AFTOMATO_BUILD_SCRIPTS_DIR": str(self.scripts),
            "AFTOMATO_WORKSPACE": str(self.workspace),
            "ARTIFACTS_DIR": str(self.artifacts),
            "AFTOMATO_KILL_GRACE_SECONDS": "30",
            **self._upload,
        }
        for name, value in variables.items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        return environment

    def run(self, *, timeout: float = 30.0, **variables: str | None) -> Finished:
        """Run one build to its end; its stdout and stderr together."""
        started = time.monotonic()
        finished = subprocess.run(
            COMMAND,
            env=self.environment(**variables),
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        return Finished(finished.returncode, finished.stdout, time.monotonic() - started)

    def start(
        self, *, launcher: Sequence[str] = (), **variables: str | None
    ) -> subprocess.Popen[bytes]:
        """Start one build (through ``launcher`` if given); the caller reads and waits."""
        return subprocess.Popen(
            [*launcher, *COMMAND],
            env=self.environment(**variables),
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )


def read_until(process: subprocess.Popen[bytes], marker: bytes, within: float = 10.0) -> bytes:
    """Read the build's output until ``marker`` has appeared; fail after ``within`` seconds."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + within
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} within {within} s; the output so far: {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, CHUNK)
            assert chunk, f"the output ended before {marker!r}: {seen!r}"
            seen += chunk
    return seen


def finish(
    process: subprocess.Popen[bytes], seen: bytes, started: float, within: float = 30.0
) -> Finished:
    """Read the rest of the output and wait; ``started`` is when the timing began."""
    try:
        rest, _ = process.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"the build did not end within {within} s; output: {seen!r}") from None
    return Finished(process.returncode, seen + rest, time.monotonic() - started)
