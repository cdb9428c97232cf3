"""The build-scripts repository, read from a git URL or a local path (DESIGN section 5).

A :class:`ScriptsRepository` keeps a shallow, single-branch working copy in a cache folder and
brings it to the branch's newest commit on :meth:`~ScriptsRepository.refresh`. A local path that
is a git repository is cloned like a URL; a local path that is a plain folder (no ``.git``, such as
``examples/build-scripts`` for ``aftomato up``) is read in place.

git runs as a subprocess with an argument list (never a shell), without a terminal prompt, under a
timeout; one git process at a time per working copy. A failure raises
:class:`ScriptsRepositoryError` with the tail of git's stderr (passwords in URLs masked).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from aftomato.common.logging import get_logger
from aftomato.common.settings import redact_url

log = get_logger(__name__)

STDERR_TAIL = 2000
_REMOTE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://|[^/]*:)")
"""``scheme://...`` or scp-like ``[user@]host:path`` (a colon before any slash), as git reads it."""


class ScriptsRepositoryError(Exception):
    """git failed or the source cannot be used; the message ends with git's stderr tail."""


class ScriptsRepository:
    """One build-scripts source and branch, and its working copy below ``cache_dir``."""

    _locks: ClassVar[weakref.WeakValueDictionary[Path, asyncio.Lock]] = (
        weakref.WeakValueDictionary()
    )

    def __init__(self, source: str, branch: str, cache_dir: Path, *, timeout: float = 120) -> None:
        self.source = source
        self.branch = branch
        self._timeout = timeout
        self._working_copy = cache_dir.resolve() / _folder_name(source, branch)
        self._lock = self._locks.setdefault(self._working_copy, asyncio.Lock())
        self._secret = urlsplit(source).password if "://" in source else None

    @property
    def in_place(self) -> bool:
        """Whether the source is a plain local folder, read where it is."""
        return _plain_folder(self.source) is not None

    @property
    def path(self) -> Path:
        """The folder to read the build scripts from."""
        return _plain_folder(self.source) or self._working_copy

    async def refresh(self) -> str | None:
        """Clone (first time) or fetch and hard-reset to ``origin/<branch>``; the new commit sha.

        None for a plain folder, which has no commit. A working copy that cannot be updated is
        replaced by a fresh clone; the old one stays until the new clone is complete.
        """
        async with self._lock:
            if self.in_place:
                return None
            if (self._working_copy / ".git").is_dir():
                try:
                    return await self._update()
                except ScriptsRepositoryError as error:
                    log.warning("build_scripts_update_failed", error=str(error), next="clone")
            await self._clone()
            return await self._head()

    async def _update(self) -> str:
        copy = str(self._working_copy)
        refspec = f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}"
        await self._git(
            "-C", copy, "fetch", "--quiet", "--depth", "1", "--no-tags", "origin", refspec
        )
        await self._git(
            "-C", copy, "reset", "--quiet", "--hard", f"refs/remotes/origin/{self.branch}"
        )
        await self._git("-C", copy, "clean", "-ffdxq")
        return await self._head()

    async def _clone(self) -> None:
        url = _clone_url(self.source)
        parent = self._working_copy.parent
        parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{self._working_copy.name}.partial-", dir=parent))
        try:
            await self._git(
                "clone", "--quiet", "--depth", "1", "--branch", self.branch, "--single-branch",
                "--no-tags", "--", url, str(partial),
            )  # fmt: skip
            _replace(self._working_copy, partial)
        finally:
            shutil.rmtree(partial, ignore_errors=True)

    async def _head(self) -> str:
        return (await self._git("-C", str(self._working_copy), "rev-parse", "HEAD")).strip()

    async def _git(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            "git", *args, env=_git_environment(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        command = args[2] if args[0] == "-C" else args[0]
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), self._timeout)
        except TimeoutError:
            raise self._error(f"git {command} took longer than {self._timeout:g} s", b"") from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            raise self._error(f"git {command} failed (exit {process.returncode})", stderr)
        return stdout.decode(errors="replace")

    def _error(self, what: str, stderr: bytes) -> ScriptsRepositoryError:
        tail = stderr.decode(errors="replace").strip()[-STDERR_TAIL:]
        if self._secret:
            tail = tail.replace(self._secret, "***")
        where = f"build scripts {redact_url(self.source)} (branch {self.branch})"
        return ScriptsRepositoryError(f"{what} for {where}" + (f": {tail}" if tail else ""))


def _local_path(source: str) -> Path | None:
    return None if _REMOTE.match(source) else Path(source).expanduser()


def _is_git_repository(path: Path) -> bool:
    bare = (path / "HEAD").is_file() and (path / "objects").is_dir()
    return (path / ".git").exists() or bare


def _plain_folder(source: str) -> Path | None:
    local = _local_path(source)
    if local is None or not local.is_dir() or _is_git_repository(local):
        return None
    return local.resolve()


def _clone_url(source: str) -> str:
    local = _local_path(source)
    if local is None:
        return source
    if not local.exists():
        raise ScriptsRepositoryError(f"the build scripts folder {source} does not exist")
    return local.resolve().as_uri()  # file:// so that --depth applies to a local clone too


def _folder_name(source: str, branch: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", source.rstrip("/").rsplit("/", 1)[-1])[:40]
    digest = hashlib.sha256(f"{source}\n{branch}".encode()).hexdigest()[:12]
    return f"{stem.strip('.-') or 'scripts'}-{digest}"


def _git_environment() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", "LC_ALL": "C"}


def _replace(target: Path, new: Path) -> None:
    """Put ``new`` where ``target`` is; the old copy goes only once the new one is in place."""
    if not target.exists():
        new.rename(target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
    target.rename(retired / "copy")
    new.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
