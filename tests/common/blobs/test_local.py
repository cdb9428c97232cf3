"""What only the local store promises: its files stay under its root."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftomato.common.blobs import InvalidBlobKey, read_all
from aftomato.common.blobs.local import LocalBlobStore


async def test_blobs_are_files_under_the_root(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    await store.put("b1/out/a.txt", b"a", content_type="text/plain")
    assert (tmp_path / "objects" / "b1" / "out" / "a.txt").read_bytes() == b"a"
    assert store.location("b1/out/a.txt") == (tmp_path / "objects/b1/out/a.txt").as_uri()
    assert list((tmp_path / "tmp").iterdir()) == []
    reopened = LocalBlobStore(tmp_path)
    assert (await reopened.list())[0].content_type == "text/plain"


async def test_a_symbolic_link_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    store = LocalBlobStore(tmp_path / "blobs")
    (tmp_path / "blobs" / "objects" / "b1").symlink_to(outside)
    with pytest.raises(InvalidBlobKey, match="leads outside"):
        await read_all(store, "b1/secret")
    with pytest.raises(InvalidBlobKey, match="leads outside"):
        await store.put("b1/new", b"x", content_type="text/plain")
    assert not (outside / "new").exists()


async def test_a_key_cannot_be_a_blob_and_a_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    await store.put("b1/a", b"x", content_type="text/plain")
    with pytest.raises(InvalidBlobKey, match="clashes"):
        await store.put("b1/a/b", b"y", content_type="text/plain")
    await store.put("b2/a/b", b"y", content_type="text/plain")
    with pytest.raises(InvalidBlobKey, match="clashes"):
        await store.put("b2/a", b"x", content_type="text/plain")
    assert [info.key for info in await store.list()] == ["b1/a", "b2/a/b"]


async def test_a_blob_without_metadata_is_binary(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    (tmp_path / "objects" / "b1").mkdir()
    (tmp_path / "objects" / "b1" / "hand-made").write_bytes(b"abc")
    async with store.open("b1/hand-made") as blob:
        assert (blob.info.size, blob.info.content_type) == (3, "application/octet-stream")
