"""Acceptance 3 of issue #7: people using the UI in Chromium against a real ``aftomato up``.

Sign in; launch a build from a project page; watch its log lines arrive while it runs; see it
finish with the right status without a reload; download an artifact; cancel a running build;
close and reopen the queue. Every page is saved as a screenshot.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Download, Locator, Page, expect

from tests.api.web.browser import Screenshots
from tests.api.web.ui_server import ARTIFACT_TEXT, UiServer, running_up

pytestmark = pytest.mark.integration

LIVE_SECONDS = 60_000  # ms: a build on a loaded two-core machine, with scheduling and all


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    with running_up(tmp_path_factory.mktemp("ui-up")) as running:
        yield running


@pytest.fixture
async def context(browser: Browser, server: UiServer) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=server.url, accept_downloads=True)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    await context.close()
    assert errors == [], "the pages' scripts threw"


async def sign_in(page: Page, token: str) -> None:
    await page.goto("/sign-in?next=/projects")
    await page.get_by_label("API token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    # The path itself: "/sign-in?next=/projects" ends with "/projects" too, and a goto made
    # before the sign-in's own navigation would be cut short by it.
    await expect(page).to_have_url(re.compile(r"^https?://[^/]+/projects$"))


async def launch(page: Page, project: str, branch: str) -> str:
    """Launches from the project page; the build id of the page it lands on."""
    await page.goto(f"/projects/{project}")
    await page.get_by_label("Branch", exact=True).first.fill(branch)
    await page.get_by_role("button", name="Launch").click()
    await expect(page).to_have_url(re.compile(r"/builds/[0-9a-f]{32}$"))
    return page.url.rsplit("/", 1)[1]


def status_of(page: Page) -> Locator:
    return page.locator("#build-status .state")


async def downloaded_text(download: Download) -> str:
    return await asyncio.to_thread(Path(await download.path()).read_text)


async def mark_no_reload(page: Page) -> None:
    await page.evaluate("window.__sameDocument = true")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"


async def test_sign_in_rejects_a_wrong_token_and_accepts_the_right_one(
    context: BrowserContext, server: UiServer, screenshots: Screenshots
) -> None:
    page = await context.new_page()
    await page.goto("/sign-in")
    await screenshots.take(page, "sign-in")
    await page.get_by_label("API token").fill("not-a-token-" + "x" * 20)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("not known")
    await sign_in(page, server.token)
    await expect(page.locator(".principal")).to_contain_text("ui-operator")
    await screenshots.take(page, "projects")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()


async def test_launch_watch_live_log_finish_and_download_an_artifact(
    context: BrowserContext, server: UiServer, screenshots: Screenshots
) -> None:
    page = await context.new_page()
    await sign_in(page, server.token)
    await page.goto("/projects/ui/gated")
    await screenshots.take(page, "project-before")
    build_id = await launch(page, "ui/gated", "live-1")
    await mark_no_reload(page)

    console = page.locator("#console")
    await expect(console).to_contain_text("step 3 of 6 on live-1", timeout=LIVE_SECONDS)
    await expect(status_of(page)).to_have_text("running", timeout=LIVE_SECONDS)
    await expect(console).not_to_contain_text("step 4 of 6")  # the build is still running
    await expect(console.locator(".ansi-fg-2").first).to_have_text("step 1 of 6")
    orange = console.locator(".line > span", has_text="waiting for the gate")
    await expect(orange).to_have_css("color", "rgb(255, 135, 0)")  # 256 colours, under the CSP
    await screenshots.take(page, "build-running")

    server.open_gate("live-1")
    await expect(console).to_contain_text("step 6 of 6", timeout=LIVE_SECONDS)
    await expect(status_of(page)).to_have_text("succeeded", timeout=LIVE_SECONDS)
    await expect(page.locator("#console-state")).to_contain_text("ended")
    await expect(page.locator("#cancel")).to_have_count(0)
    await assert_not_reloaded(page)

    link = page.get_by_role("link", name="reports/summary.txt")
    await expect(link).to_be_visible(timeout=LIVE_SECONDS)
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert await downloaded_text(download) == ARTIFACT_TEXT
    async with page.expect_download() as log_info:
        await page.get_by_role("link", name="Download the log").click()
    log_text = await downloaded_text(await log_info.value)
    assert "step 6 of 6" in log_text
    await screenshots.take(page, "build-succeeded")

    await page.goto("/projects/ui/gated")
    await expect(page.locator(f'tr[data-build-id="{build_id}"] .state')).to_have_text("succeeded")
    await expect(page.locator(".chart rect.bar")).not_to_have_count(0)
    await screenshots.take(page, "project-after")


async def test_cancel_a_running_build_and_rebuild_it(
    context: BrowserContext, server: UiServer, screenshots: Screenshots
) -> None:
    page = await context.new_page()
    await sign_in(page, server.token)
    build_id = await launch(page, "ui/endless", "cancel-me")
    await mark_no_reload(page)
    await expect(page.locator("#console")).to_contain_text(
        "running until cancelled", timeout=LIVE_SECONDS
    )
    await expect(status_of(page)).to_have_text("running", timeout=LIVE_SECONDS)
    await page.get_by_role("button", name="Cancel the build").click()
    await expect(status_of(page)).to_have_text("cancelled", timeout=LIVE_SECONDS)
    await expect(page.get_by_role("button", name="Cancel the build")).to_have_count(0)
    await assert_not_reloaded(page)
    await screenshots.take(page, "build-cancelled")

    await page.get_by_role("button", name="Rebuild").click()
    await expect(page).not_to_have_url(re.compile(build_id))
    await expect(page.locator("h1")).to_contain_text("ui/endless")
    await expect(page.locator("#build-status .branch")).to_have_text("cancel-me")
    await expect(page.locator("#console")).to_contain_text(
        "running until cancelled", timeout=LIVE_SECONDS
    )
    await page.get_by_role("button", name="Cancel the build").click()
    await expect(status_of(page)).to_have_text("cancelled", timeout=LIVE_SECONDS)


async def test_close_and_reopen_the_queue(
    context: BrowserContext, server: UiServer, screenshots: Screenshots
) -> None:
    page = await context.new_page()
    await sign_in(page, server.token)
    await page.goto("/queue")
    await page.get_by_label("Reason").fill("release freeze")
    await page.get_by_role("button", name="Close the queue").click()
    state = page.locator("#queue-state")
    await expect(state).to_contain_text("closed by ui-operator")
    await expect(state).to_contain_text("Reason: release freeze")
    await expect(page.get_by_role("button", name="Close the queue")).to_be_disabled()
    await screenshots.take(page, "queue-closed")

    await page.goto("/")
    await expect(page.locator("#queue-banner")).to_contain_text(
        "The queue is closed: release freeze"
    )
    await screenshots.take(page, "dashboard-queue-closed")

    await page.goto("/queue")
    await page.get_by_role("button", name="Open the queue").click()
    await expect(state).to_contain_text("The queue is open")
    await expect(page.get_by_role("button", name="Open the queue")).to_be_disabled()
    await page.goto("/")
    await expect(page.locator("#queue-banner")).to_be_empty()


async def test_dashboard_updates_live_and_pages_fit_a_narrow_screen(
    context: BrowserContext, server: UiServer, screenshots: Screenshots
) -> None:
    page = await context.new_page()
    await sign_in(page, server.token)
    watcher = await context.new_page()
    await watcher.goto("/")
    await mark_no_reload(watcher)
    build_id = await launch(page, "ui/gated", "dashboard-1")
    active_row = watcher.locator(f'#active tr[data-build-id="{build_id}"]')
    await expect(active_row).to_be_visible(timeout=LIVE_SECONDS)
    await screenshots.take(watcher, "dashboard-active")
    server.open_gate("dashboard-1")
    await expect(active_row).to_have_count(0, timeout=LIVE_SECONDS)
    recent = watcher.locator(f'#recent tr[data-build-id="{build_id}"] .state')
    await expect(recent).to_have_text("succeeded", timeout=LIVE_SECONDS)
    await assert_not_reloaded(watcher)
    await screenshots.take(watcher, "dashboard")

    await page.set_viewport_size({"width": 360, "height": 740})
    for path, name in [
        ("/", "narrow-dashboard"),
        (f"/builds/{build_id}", "narrow-build"),
        ("/projects/ui/gated", "narrow-project"),
        ("/queue", "narrow-queue"),
    ]:
        await page.goto(path)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways on a narrow screen"
        await screenshots.take(page, name)


@pytest.fixture
def token_only_server(tmp_path: Path) -> Iterator[UiServer]:
    with running_up(tmp_path, AFTOMATO_API_READ_REQUIRES_TOKEN="true") as private:
        yield private


async def test_when_reading_needs_a_token_pages_send_people_to_sign_in_and_back(
    browser: Browser, token_only_server: UiServer, screenshots: Screenshots
) -> None:
    context = await browser.new_context(base_url=token_only_server.url)
    page = await context.new_page()
    await page.goto("/projects/ui/gated?branch=main")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    await screenshots.take(page, "sign-in-required")
    await page.get_by_label("API token").fill(token_only_server.token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/projects/ui/gated\?branch=main$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("ui/gated")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    await context.close()
