"""A pushed commit is marked on its SCM: pending while it builds, then success."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.cluster import Backends, running_cluster
from tests.e2e.outcomes import finished
from tests.e2e.webhooks import PUSH, push, push_body
from tests.support.fake_scm import FakeScm
from tests.support.servers.moto import AwsNames
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

COMMIT = json.loads(PUSH)["after"]
REPOSITORY = json.loads(PUSH)["repository"]["full_name"]


async def test_a_push_gets_pending_then_success_statuses_for_its_commit(
    amqp_url: str,
    etcd_endpoint: str,
    etcd_prefix: str,
    aws_endpoint: str,
    aws_names: AwsNames,
    tmp_path: Path,
    http: aiohttp.ClientSession,
) -> None:
    backends = Backends(amqp_url, etcd_endpoint, etcd_prefix, aws_endpoint, aws_names)
    async with FakeScm() as scm:
        settings = {
            "AFTOMATO_GITHUB_API_URL": scm.base("github"),
            "AFTOMATO_GITHUB_TOKEN": scm.token,
            "AFTOMATO_PUBLIC_URL": "https://ci.example.com",
        }
        async with running_cluster(backends, tmp_path, settings=settings) as cluster:
            accepted = await push(http, cluster.ingest_url, push_body())
            await finished(cluster, accepted.build_id)
            await eventually(
                lambda: scm.states("github", COMMIT)[-1:] == ["success"],
                within=30,
                what="the success status",
            )
    states = scm.states("github", COMMIT)
    *before, last = states
    assert before, states  # pending was reported before the end
    assert set(before) == {"pending"}, states
    assert last == "success", states
    assert {status.repository for status in scm.statuses} == {REPOSITORY}
    assert {status.body["target_url"] for status in scm.statuses} == {
        f"https://ci.example.com/builds/{accepted.build_id}"
    }
    assert scm.problems == []
