"""The api's integration rig as a fixture (see rig.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.api.rig import ApiRig, api_rig
from tests.support.fake_kube import FakeKube
from tests.support.servers.moto import AwsNames


@pytest.fixture
async def rig(
    tmp_path: Path,
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    fake_kube: FakeKube,
) -> AsyncIterator[ApiRig]:
    async with api_rig(
        tmp_path=tmp_path,
        amqp_url=amqp_url,
        etcd_endpoint=etcd_endpoint,
        etcd_prefix=etcd_prefix,
        aws_endpoint=aws_endpoint,
        aws_names=aws_names,
        fake=fake_kube,
    ) as api:
        yield api
