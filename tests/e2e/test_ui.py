"""The web UI in Debian's Chromium against the distributed services: a webhook's build shows
its state, log and artifacts; a running build is cancelled from its page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import BrowserContext, Page, expect

from aftomato.common.states import BuildState
from tests.api.web.browser import Screenshots, running_chromium, screenshots_folder
from tests.e2e.cluster import OPERATOR_TOKEN, Cluster
from tests.e2e.outcomes import finished
from tests.e2e.scripts_repo import SLEEPER
from tests.e2e.webhooks import push, push_body

pytestmark = pytest.mark.integration

LIVE_MS = 45_000


@pytest.fixture
async def context(cluster: Cluster) -> AsyncIterator[BrowserContext]:
    async with running_chromium() as browser:
        context = await browser.new_context(base_url=cluster.api_url)
        errors: list[str] = []
        context.on("weberror", lambda error: errors.append(str(error.error)))
        yield context
        await context.close()
        assert errors == [], "the pages' scripts threw"


@pytest.fixture
def shots(tmp_path: Path) -> Screenshots:
    """Screenshots of the pages, in ``$AFTOMATO_SCREENSHOTS_DIR`` when it is set."""
    return Screenshots(screenshots_folder(tmp_path / "screenshots"))


async def signed_in(context: BrowserContext) -> Page:
    page = await context.new_page()
    await page.goto("/sign-in?next=/projects")
    await page.get_by_label("API token").fill(OPERATOR_TOKEN)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"^https?://[^/]+/projects$"))
    return page


async def test_a_webhook_build_shows_its_state_log_and_artifacts(
    cluster: Cluster, http: aiohttp.ClientSession, context: BrowserContext, shots: Screenshots
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body())
    await finished(cluster, accepted.build_id)
    page = await context.new_page()

    await page.goto(f"/builds/{accepted.build_id}")

    await expect(page.locator("#build-status .state")).to_have_text("succeeded")
    await expect(page.locator("#console")).to_contain_text("Left 3 artifacts in", timeout=LIVE_MS)
    await expect(page.get_by_role("link", name="dist/app.tar.gz")).to_be_visible()
    await shots.take(page, "e2e-webhook-build-succeeded")


async def test_a_running_build_is_cancelled_from_its_page(
    cluster: Cluster, http: aiohttp.ClientSession, context: BrowserContext, shots: Screenshots
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body(SLEEPER))
    page = await signed_in(context)
    await page.goto(f"/builds/{accepted.build_id}")
    await expect(page.locator("#console")).to_contain_text(
        "sleeping until stopped", timeout=LIVE_MS
    )
    await expect(page.locator("#build-status .state")).to_have_text("running", timeout=LIVE_MS)

    await page.get_by_role("button", name="Cancel the build").click()

    await expect(page.locator("#build-status .state")).to_have_text("cancelled", timeout=LIVE_MS)
    await shots.take(page, "e2e-build-cancelled")
    record = await finished(cluster, accepted.build_id)
    assert record.state is BuildState.CANCELLED
