"""Debian's Chromium through Playwright, the one way the suite starts a browser, and screenshots.

Never ``playwright install``: it downloads a browser build, which cannot work here.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, Playwright, async_playwright

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS_VARIABLE = "AFTOMATO_SCREENSHOTS_DIR"


async def launch_chromium(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@asynccontextmanager
async def running_chromium() -> AsyncIterator[Browser]:
    """A Chromium for one test (a fixture body): closed however the test ends."""
    async with async_playwright() as playwright:
        chromium = await launch_chromium(playwright)
        try:
            yield chromium
        finally:
            await chromium.close()


def screenshots_folder(default: Path) -> Path:
    """``$AFTOMATO_SCREENSHOTS_DIR`` when set, else ``default`` (under pytest's tmp path)."""
    folder = Path(os.environ.get(SCREENSHOTS_VARIABLE) or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Screenshots:
    """Saves full-page screenshots into one folder and remembers them for the test report."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.saved: list[Path] = []

    async def take(self, page: Page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        return path
