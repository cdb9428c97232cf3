"""The composed app serves the API, the web UI's pages over the same queries, and health."""

from __future__ import annotations

import pytest

from tests.api.rig import ApiRig, build_id, update

pytestmark = pytest.mark.integration


async def test_pages_and_the_api_read_the_same_builds(rig: ApiRig) -> None:
    await rig.record(update(1))
    async with rig.http.get(rig.url("/")) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    async with rig.http.get(rig.url("/api/v1/builds/waiting")) as response:
        (waiting,) = (await response.json())["builds"]
    assert waiting["build_id"] == build_id(1)
    assert build_id(1)[:8] in page


async def test_health_and_metrics(rig: ApiRig) -> None:
    async with rig.http.get(rig.url(f"/api/v1/builds/{build_id(9)}")) as response:
        assert response.status == 404
    for path in ("/healthz", "/readyz", "/metrics"):
        async with rig.http.get(rig.url(path)) as response:
            assert response.status == 200, path
            text = await response.text()
    counted = (
        'aftomato_api_answers_total{method="GET",route="/api/v1/builds/{build_id}",status="404"}'
    )
    assert f"{counted} 1.0" in text
