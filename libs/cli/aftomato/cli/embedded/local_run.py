"""One local build: its folders, the entrypoint as a subprocess, and its artifacts kept.

The folders mirror the pod's volumes: ``scripts`` (a copy of the build scripts, as the init
container's clone), ``workspace`` and ``artifacts``, plus ``console.log``, the container log.
The entrypoint runs in a session of its own, so a Ctrl-C on the terminal reaches ``aftomato up``
(which cancels builds in order) and not the builds directly.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aftomato.common.blobs.store import CHUNK_BYTES, BlobStore
from aftomato.entrypoint.artifacts import MANIFEST_NAME, collect, manifest

ENTRYPOINT = (sys.executable, "-m", "aftomato.entrypoint")
INHERITED = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TZ")
"""What a build inherits from ``aftomato up``'s environment; a pod starts as clean."""
UPLOAD_FAILED = 121
"""The entrypoint's code for a build that succeeded but whose artifacts were not kept."""


@dataclass(frozen=True)
class BuildFolders:
    root: Path
    scripts: Path
    workspace: Path
    artifacts: Path
    log: Path

    @classmethod
    def under(cls, root: Path) -> BuildFolders:
        return cls(
            root, root / "scripts", root / "workspace", root / "artifacts", root / "console.log"
        )


async def copy_scripts(source: Path, folders: BuildFolders) -> None:
    """The build scripts as the build sees them (``.git`` left out); creates ``root`` too."""

    def copy() -> None:
        folders.root.mkdir(parents=True, exist_ok=True)
        folders.log.touch()
        ignore = shutil.ignore_patterns(".git")
        shutil.copytree(source, folders.scripts, symlinks=True, ignore=ignore)

    await asyncio.to_thread(copy)


def entrypoint_environment(
    pod_environment: dict[str, str], folders: BuildFolders
) -> dict[str, str]:
    """The manifest's variables, with the pod's paths replaced by the local folders."""
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    environment.update(pod_environment)
    environment.update(
        AFTOMATO_BUILD_SCRIPTS_DIR=str(folders.scripts),
        AFTOMATO_WORKSPACE=str(folders.workspace),
        ARTIFACTS_DIR=str(folders.artifacts),
        AFTOMATO_ARTIFACTS_UPLOAD="off",  # the executor keeps them in the local blob store
        PYTHONUNBUFFERED="1",
    )
    environment.pop("AFTOMATO_AWS_ENDPOINT_URL", None)
    return environment


async def start_entrypoint(
    environment: dict[str, str], folders: BuildFolders
) -> asyncio.subprocess.Process:
    with folders.log.open("ab") as log:
        return await asyncio.create_subprocess_exec(
            *ENTRYPOINT,
            cwd=folders.root,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )


async def stop(process: asyncio.subprocess.Process, grace_seconds: float) -> int:
    """SIGTERM (the entrypoint passes it to the script), SIGKILL after the grace; the exit code."""
    if process.returncode is None:
        with _gone():
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(grace_seconds):
                await process.wait()
        except TimeoutError:
            with _gone():
                os.killpg(process.pid, signal.SIGKILL)
    return exit_code(await process.wait())


def exit_code(returncode: int) -> int:
    """A container's exit code: 128 + n for a process killed by signal n."""
    return 128 - returncode if returncode < 0 else returncode


class _gone:  # noqa: N801 - used as a lower-case context manager, like contextlib.suppress
    """Ignore signalling a process that has already exited."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, ProcessLookupError)


async def keep_artifacts(folders: BuildFolders, build_id: str, store: BlobStore) -> str:
    """Copy the artifacts into ``store`` as the entrypoint does to S3 (files, then manifest)."""
    artifacts, skipped = await asyncio.to_thread(collect, folders.artifacts)
    for artifact in artifacts:
        await store.put(
            f"{build_id}/{artifact.path}",
            _chunks(artifact.source),
            content_type=artifact.content_type,
        )
    await store.put(
        f"{build_id}/{MANIFEST_NAME}",
        manifest(build_id, artifacts),
        content_type="application/json",
    )
    notes = [f"artifact {item.path!r} skipped: {item.reason}" for item in skipped]
    size = sum(artifact.size for artifact in artifacts)
    notes.append(f"kept {len(artifacts)} artifacts ({size} bytes) in {store.location(build_id)}/")
    return "\n".join(f"[aftomato] {note}" for note in notes) + "\n"


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    """The file in chunks, read off the event loop: memory stays flat for big artifacts."""
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, CHUNK_BYTES):
            yield chunk


async def append_log(folders: BuildFolders, text: str) -> None:
    def append() -> None:
        folders.root.mkdir(parents=True, exist_ok=True)
        with folders.log.open("ab") as log:
            log.write(text.encode())

    await asyncio.to_thread(append)


async def remove(folders: BuildFolders) -> None:
    await asyncio.to_thread(shutil.rmtree, folders.root, True)
