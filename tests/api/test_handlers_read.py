"""Artifacts: listed file by file, downloaded one at a time; the upload's manifest is not one."""

from __future__ import annotations

import pytest

from aftomato.common.states import BuildState
from tests.api.rig import ApiRig, build_id, update

pytestmark = pytest.mark.integration


async def test_artifacts_are_listed_and_downloaded(rig: ApiRig) -> None:
    build = build_id(1)
    await rig.record(update(1, BuildState.SUCCEEDED))
    await rig.artifacts.put(f"{build}/dist/app.tar.gz", b"x" * 123, content_type="application/gzip")
    await rig.artifacts.put(f"{build}/report ü.txt", b"fine\n", content_type="text/plain")
    await rig.artifacts.put(f"{build_id(2)}/other.txt", b"not mine", content_type="text/plain")
    await rig.artifacts.put(f"{build}/manifest.json", b"{}", content_type="application/json")
    async with rig.http.get(rig.url(f"/api/v1/builds/{build}/artifacts")) as response:
        listing = await response.json()
    assert listing == {
        "artifacts": [
            {
                "path": "dist/app.tar.gz",
                "size": 123,
                "url": f"/api/v1/builds/{build}/artifacts/dist/app.tar.gz",
            },
            {
                "path": "report ü.txt",
                "size": 5,
                "url": f"/api/v1/builds/{build}/artifacts/report%20%C3%BC.txt",
            },
        ]
    }
    async with rig.http.get(rig.url(listing["artifacts"][0]["url"])) as response:
        assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''app.tar.gz"
        assert response.headers["Content-Type"] == "application/gzip"
        assert await response.read() == b"x" * 123
    async with rig.http.get(rig.url(listing["artifacts"][1]["url"])) as response:
        assert await response.read() == b"fine\n"


async def test_unknown_builds_and_artifacts_are_404(rig: ApiRig) -> None:
    await rig.record(update(3))
    await rig.artifacts.put(f"{build_id(3)}/manifest.json", b"{}", content_type="application/json")
    for path in (
        f"/api/v1/builds/{build_id(3)}/artifacts/manifest.json",  # the upload's, not an artifact
        f"/api/v1/builds/{build_id(4)}/artifacts",
        f"/api/v1/builds/{build_id(3)}/artifacts/missing.txt",
        f"/api/v1/builds/{build_id(3)}/artifacts/a/../../secret",
    ):
        async with rig.http.get(rig.url(path)) as response:
            assert response.status == 404, path
            assert "error" in await response.json()
