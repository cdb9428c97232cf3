"""A fake SCM server of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.fake_scm import FakeScm


@pytest.fixture
async def scm() -> AsyncIterator[FakeScm]:
    async with FakeScm() as server:
        yield server
