"""The soak's build-scripts repository and the pushes that name its projects: ``projects``
folders ``soak/p000``, ``soak/p001``, ... each with a short ``build.sh``, committed on the
branch the services read, and one recorded GitHub push body per project and branch."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.scripts_repo import BRANCH
from tests.e2e.webhooks import PUSH

SCRIPT = '#!/usr/bin/env bash\nset -eu\necho "soak build $BUILD_ID of $PROJECT_KEY"\n'


def project_keys(projects: int) -> list[str]:
    return [f"soak/p{number:03d}" for number in range(projects)]


def make_soak_scripts(root: Path, projects: int) -> Path:
    """A git repository at ``root`` with every soak project committed on ``BRANCH``."""
    for key in project_keys(projects):
        (root / key).mkdir(parents=True)
        (root / key / "build.sh").write_text(SCRIPT)
    _git(root, "init", "--quiet", "--initial-branch", BRANCH)
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "--message", "build scripts for the soak")
    return root


def push_bodies(projects: int, branches: int) -> list[bytes]:
    """The recorded push for every project and branch (``soak-0``, ``soak-1``, ...)."""
    recorded = json.loads(PUSH)
    bodies = []
    for key in project_keys(projects):
        for branch in range(branches):
            body = recorded | {"ref": f"refs/heads/soak-{branch}"}
            body["repository"] = recorded["repository"] | {"full_name": key}
            bodies.append(json.dumps(body).encode())
    return bodies


def _git(where: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=soak", "-c", "user.email=soak@example.invalid"]
    subprocess.run(["git", *identity, *arguments], cwd=where, check=True, capture_output=True)
