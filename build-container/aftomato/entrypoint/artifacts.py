"""What the script left in the artifacts folder: the files to ship, their types and the manifest.

Every regular file under the folder is an artifact, named by its path relative to the folder.
Symbolic links are followed only to files inside the folder; links to folders, links leading out,
and special files (sockets, pipes) are skipped with a reason the log shows. A top-level
``manifest.json`` is reserved for the manifest itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mimetypes
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1
FALLBACK_CONTENT_TYPE = "application/octet-stream"
_HASH_CHUNK_BYTES = 1024 * 1024

_COMPRESSED_TYPES = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "br": "application/x-brotli",
    "compress": "application/x-compress",
}
"""``app.tar.gz`` is stored as the gzip file it is, not as a tar with a content encoding."""

_CI_TYPES = {
    ".log": "text/plain",
    ".md": "text/markdown",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".jar": "application/java-archive",
    ".whl": "application/zip",
}
"""Files builds often leave that Python's built-in table does not know."""


@dataclass(frozen=True)
class Artifact:
    path: str
    """Relative to the artifacts folder, with '/': the manifest entry and the S3 key's tail."""
    source: Path
    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@functools.cache
def _types() -> mimetypes.MimeTypes:
    """Python's built-in table only, not the machine's /etc/mime.types: the same everywhere."""
    types = mimetypes.MimeTypes()
    for extension, content_type in _CI_TYPES.items():
        types.add_type(content_type, extension)
    return types


def content_type(path: str) -> str:
    guessed, encoding = _types().guess_type(path, strict=False)
    if encoding is not None:
        return _COMPRESSED_TYPES.get(encoding, FALLBACK_CONTENT_TYPE)
    return guessed or FALLBACK_CONTENT_TYPE


def collect(folder: Path) -> tuple[list[Artifact], list[Skipped]]:
    """The artifacts under ``folder`` in path order, and what was skipped and why."""
    root = folder.resolve()
    artifacts: list[Artifact] = []
    skipped: list[Skipped] = []
    for path in sorted(_walk(root)):
        relative = path.relative_to(root).as_posix()
        reason = _skip_reason(root, path, relative)
        if reason is None:
            artifacts.append(_artifact(path, relative))
        else:
            skipped.append(Skipped(relative, reason))
    return artifacts, skipped


def _walk(root: Path) -> Iterator[Path]:
    """Every entry that is not a real folder; links to folders are listed, not entered."""
    for directory, folders, files in os.walk(root):
        here = Path(directory)
        yield from (here / name for name in files)
        yield from (here / name for name in folders if (here / name).is_symlink())


def _skip_reason(root: Path, path: Path, relative: str) -> str | None:
    if relative == MANIFEST_NAME:
        return "the name is reserved for the manifest"
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    if path.is_symlink():
        try:
            target = path.resolve()
        except RuntimeError:  # a loop of links
            return "a symbolic link that leads nowhere"
        if not target.is_relative_to(root):
            return "a symbolic link leading outside the artifacts folder"
        if target.is_dir():
            return "a symbolic link to a folder"
    if not path.is_file():
        return "not a regular file"
    return None


def _artifact(path: Path, relative: str) -> Artifact:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return Artifact(relative, path, size, digest.hexdigest(), content_type(relative))


def manifest(build_id: str, artifacts: Sequence[Artifact]) -> bytes:
    """The manifest's JSON: uploaded last, so its presence means every file is in place."""
    document = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "build_id": build_id,
        "files": [
            {
                "path": artifact.path,
                "size": artifact.size,
                "sha256": artifact.sha256,
                "content_type": artifact.content_type,
            }
            for artifact in artifacts
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
