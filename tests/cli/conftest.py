"""One ``aftomato up`` on the default example build scripts, shared by the tests that use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.up_process import UpProcess


@pytest.fixture(scope="session")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpProcess]:
    server = UpProcess.start(tmp_path_factory.mktemp("up") / "data")
    try:
        yield server
    finally:
        server.stop()
