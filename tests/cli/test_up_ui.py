"""Acceptance 1 of issue #8 in the browser: hello-world launched from the UI of ``aftomato up``.

Debian's Chromium through Playwright (never ``playwright install``), against the same ``aftomato
up`` as the other tests here: default example build scripts, the token it made and saved.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import BrowserContext, expect

from tests.api.web.browser import running_chromium
from tests.cli.up_process import UpProcess

pytestmark = pytest.mark.integration

BUILD_MS = 60_000  # a build on a loaded two-core machine


@pytest.fixture
async def context(up: UpProcess) -> AsyncIterator[BrowserContext]:
    async with running_chromium() as browser:
        context = await browser.new_context(base_url=up.url)
        errors: list[str] = []
        context.on("weberror", lambda error: errors.append(str(error.error)))
        yield context
        await context.close()
        assert errors == [], "the pages' scripts threw"


async def test_hello_world_launched_from_the_ui_succeeds_and_shows_its_log(
    context: BrowserContext, up: UpProcess
) -> None:
    page = await context.new_page()
    await page.goto("/sign-in?next=/projects/examples/hello-world")
    await page.get_by_label("API token").fill(up.token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"^https?://[^/]+/projects/examples/hello-world$"))
    await page.get_by_label("Branch", exact=True).first.fill("from-the-ui")
    await page.get_by_role("button", name="Launch").click()
    await expect(page).to_have_url(re.compile(r"/builds/[0-9a-f]{32}$"))
    build_id = page.url.rsplit("/", 1)[1]
    console = page.locator("#console")
    await expect(console).to_contain_text(
        f"Hello from build {build_id} of examples/hello-world!", timeout=BUILD_MS
    )
    await expect(console).to_contain_text("Building branch from-the-ui")
    await expect(page.locator("#build-status .state")).to_have_text("succeeded", timeout=BUILD_MS)
