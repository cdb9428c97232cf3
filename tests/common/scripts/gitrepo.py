"""A small git repository of build scripts made with real git, for the reader's tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Aftomato Tests",
    "GIT_AUTHOR_EMAIL": "tests@aftomato.invalid",
    "GIT_COMMITTER_NAME": "Aftomato Tests",
    "GIT_COMMITTER_EMAIL": "tests@aftomato.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *args],
        env=IDENTITY,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


class ScriptsGit:
    """A non-bare repository with branch ``main``; :meth:`commit` writes files and commits."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        git(root, "init", "--quiet", "--initial-branch", "main")

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        write(self.root, files)
        git(self.root, "add", "--all")
        git(self.root, "commit", "--quiet", "--message", message)
        return git(self.root, "rev-parse", "HEAD")

    def remove(self, name: str) -> str:
        git(self.root, "rm", "--quiet", "-r", name)
        git(self.root, "commit", "--quiet", "--message", f"remove {name}")
        return git(self.root, "rev-parse", "HEAD")
