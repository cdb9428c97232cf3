"""Browser fixtures for the UI tests: one Chromium per test, screenshots listed at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.api.web.browser import Screenshots, running_chromium, screenshots_folder

_screenshots: list[Screenshots] = []


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with running_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Screenshots:
    taken = Screenshots(screenshots_folder(tmp_path_factory.mktemp("screenshots")))
    _screenshots.append(taken)
    return taken


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    saved = [path for taken in _screenshots for path in taken.saved]
    if saved:
        terminalreporter.section("UI screenshots")
        for path in saved:
            terminalreporter.write_line(str(path))
