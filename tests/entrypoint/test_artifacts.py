import hashlib
import json
import os
from pathlib import Path

import pytest

from aftomato.entrypoint.artifacts import Artifact, Skipped, collect, content_type, manifest


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("report.html", "text/html"),
        ("build-info.json", "application/json"),
        ("dist/app.tar.gz", "application/gzip"),
        ("dist/app.tgz", "application/gzip"),
        ("logs/test.log.xz", "application/x-xz"),
        ("coverage.xml", "text/xml"),
        ("test.log", "text/plain"),
        ("CHANGES.md", "text/markdown"),
        ("app.jar", "application/java-archive"),
        ("screenshot.PNG", "image/png"),
        ("no-extension", "application/octet-stream"),
        ("data.unknown-ext", "application/octet-stream"),
    ],
)
def test_content_types_are_guessed_from_the_name(path: str, expected: str) -> None:
    assert content_type(path) == expected


def test_every_file_is_collected_with_its_relative_path_size_and_digest(tmp_path: Path) -> None:
    (tmp_path / "dist" / "deep").mkdir(parents=True)
    files = {
        "report.html": b"<p>ok</p>",
        "dist/app.tar.gz": bytes(range(256)) * 10,
        "dist/deep/notes.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    artifacts, skipped = collect(tmp_path)

    assert skipped == []
    assert [artifact.path for artifact in artifacts] == sorted(files)
    for artifact in artifacts:
        data = files[artifact.path]
        assert artifact.source == tmp_path.resolve() / artifact.path
        assert artifact.size == len(data)
        assert artifact.sha256 == hashlib.sha256(data).hexdigest()


def test_links_are_followed_only_to_files_inside_the_folder(tmp_path: Path) -> None:
    artifacts_dir = tmp_path / "artifacts"
    (artifacts_dir / "real").mkdir(parents=True)
    (artifacts_dir / "real" / "file.txt").write_text("inside")
    (tmp_path / "secret").write_text("outside")
    (artifacts_dir / "inside-link.txt").symlink_to(artifacts_dir / "real" / "file.txt")
    (artifacts_dir / "secret-link").symlink_to(tmp_path / "secret")
    (artifacts_dir / "etc").symlink_to("/etc")
    (artifacts_dir / "folder-link").symlink_to(artifacts_dir / "real")
    (artifacts_dir / "dangling").symlink_to(artifacts_dir / "nothing")
    os.mkfifo(artifacts_dir / "fifo")

    artifacts, skipped = collect(artifacts_dir)

    assert [artifact.path for artifact in artifacts] == ["inside-link.txt", "real/file.txt"]
    assert artifacts[0].size == len("inside")
    assert sorted(skipped, key=lambda item: item.path) == [
        Skipped("dangling", "not a regular file"),
        Skipped("etc", "a symbolic link leading outside the artifacts folder"),
        Skipped("fifo", "not a regular file"),
        Skipped("folder-link", "a symbolic link to a folder"),
        Skipped("secret-link", "a symbolic link leading outside the artifacts folder"),
    ]


def test_the_manifest_name_is_reserved_at_the_top_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "sub" / "manifest.json").write_text("{}")
    artifacts, skipped = collect(tmp_path)
    assert [artifact.path for artifact in artifacts] == ["sub/manifest.json"]
    assert skipped == [Skipped("manifest.json", "the name is reserved for the manifest")]


def test_the_manifest_lists_every_file(tmp_path: Path) -> None:
    artifacts = [
        Artifact("dist/app.tar.gz", tmp_path / "a", 3, "ab" * 32, "application/gzip"),
        Artifact("rapport-été.html", tmp_path / "b", 0, "cd" * 32, "text/html"),
    ]
    document = json.loads(manifest("0f3c", artifacts))
    assert document == {
        "schema_version": 1,
        "build_id": "0f3c",
        "files": [
            {
                "path": "dist/app.tar.gz",
                "size": 3,
                "sha256": "ab" * 32,
                "content_type": "application/gzip",
            },
            {
                "path": "rapport-été.html",
                "size": 0,
                "sha256": "cd" * 32,
                "content_type": "text/html",
            },
        ],
    }
