"""The build-scripts repository of the end-to-end suite: ``examples/build-scripts`` in a git
repository of its own (branch ``main``), plus the projects the suite needs beside the examples.

``binkkatal/sample_app`` is the project of the real GitHub push payload the suite sends
(``tests/ingest/payloads/github/push.json``): it runs the artifacts example, so one push shows a
log and artifacts. ``e2e/slow`` takes a moment (bursts must queue behind it); ``e2e/sleeper``
runs until it is stopped (cancels); ``e2e/overdue`` runs past its two-second timeout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples" / "build-scripts"
BRANCH = "main"

PAYLOAD_PROJECT = "binkkatal/sample_app"
SLOW = "e2e/slow"
SLEEPER = "e2e/sleeper"
OVERDUE = "e2e/overdue"

EXTRA_SCRIPTS = {
    SLOW: 'echo "slow build $BUILD_ID starts"\nsleep 1\necho "slow build $BUILD_ID ends"\n',
    SLEEPER: 'echo "sleeping until stopped"\nexec sleep 300\n',
    OVERDUE: 'echo "this takes too long"\nexec sleep 300\n',
}
CONFIGS = {OVERDUE: "timeout: 2s\n"}


def make_scripts_repository(root: Path) -> Path:
    """A git repository at ``root`` with every project committed on ``main``."""
    shutil.copytree(EXAMPLES, root)
    artifacts = root / "examples" / "artifacts" / "build.sh"
    (root / PAYLOAD_PROJECT).mkdir(parents=True)
    shutil.copy(artifacts, root / PAYLOAD_PROJECT / "build.sh")
    for project, script in EXTRA_SCRIPTS.items():
        (root / project).mkdir(parents=True)
        (root / project / "build.sh").write_text(f"#!/usr/bin/env bash\nset -eu\n{script}")
    for project, config in CONFIGS.items():
        (root / project / "aftomato.yaml").write_text(config)
    _git(root, "init", "--quiet", "--initial-branch", BRANCH)
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "--message", "build scripts for the end-to-end suite")
    return root


def _git(where: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid"]
    subprocess.run(["git", *identity, *arguments], cwd=where, check=True, capture_output=True)
