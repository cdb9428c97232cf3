"""The ``fake_kube`` pytest fixture: a started ``FakeKube``, stopped after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.fake_kube.control import FakeKube


@pytest.fixture
async def fake_kube() -> AsyncIterator[FakeKube]:
    async with FakeKube() as fake:
        yield fake
