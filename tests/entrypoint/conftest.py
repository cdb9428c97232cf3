"""The sandbox every entrypoint test runs its builds in."""

from pathlib import Path

import pytest

from tests.entrypoint.sandbox import Sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)
