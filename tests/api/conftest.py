"""The api's integration rig as a fixture (see rig.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from aftomato.api.settings import ApiSettings
from tests.api.rig import ApiRig, RigFactory, api_rig, api_settings
from tests.support.fake_kube import FakeKube
from tests.support.servers.moto import AwsNames


@pytest.fixture
def make_rig(
    tmp_path: Path,
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
) -> RigFactory:
    """An api rig with the settings a test chooses."""

    def make(settings: ApiSettings) -> AbstractAsyncContextManager[ApiRig]:
        return api_rig(
            tmp_path=tmp_path,
            amqp_url=amqp_url,
            etcd_endpoint=etcd_endpoint,
            etcd_prefix=etcd_prefix,
            aws_endpoint=aws_endpoint,
            aws_names=aws_names,
            fake=fake_kube,
            settings=settings,
        )

    return make


@pytest.fixture
async def rig(make_rig: RigFactory) -> AsyncIterator[ApiRig]:
    async with make_rig(api_settings()) as api:
        yield api
