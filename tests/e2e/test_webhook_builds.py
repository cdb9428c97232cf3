"""A signed GitHub push, through every service, to a record, a log and artifacts."""

from __future__ import annotations

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.api import get_json, get_text
from tests.e2e.cluster import Cluster
from tests.e2e.outcomes import artifact_keys, console_log, finished
from tests.e2e.scripts_repo import PAYLOAD_PROJECT
from tests.e2e.webhooks import PUSH_BRANCH, push, push_body

pytestmark = pytest.mark.integration


async def test_a_signed_push_ends_succeeded_with_its_log_and_artifacts(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body())

    record = await finished(cluster, accepted.build_id)

    assert (record.state, record.exit_code) == (BuildState.SUCCEEDED, 0), record.reason
    assert (record.project_key, record.branch) == (PAYLOAD_PROJECT, PUSH_BRANCH)
    log = await console_log(cluster, accepted.build_id)
    assert "Left 3 artifacts in" in log
    keys = await artifact_keys(cluster, accepted.build_id)
    build = accepted.build_id
    assert {f"{build}/dist/app.tar.gz", f"{build}/manifest.json"} <= set(keys)


async def test_the_finished_build_is_visible_through_the_api(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    accepted = await push(http, cluster.ingest_url, push_body())
    await finished(cluster, accepted.build_id)
    build_url = f"{cluster.api_url}/api/v1/builds/{accepted.build_id}"

    build = await get_json(http, build_url)
    log = await get_text(http, f"{build_url}/log")
    artifacts = await get_json(http, f"{build_url}/artifacts")

    assert build.status == 200
    assert (build.body["state"], build.body["exit_code"]) == ("succeeded", 0)
    assert (build.body["project_key"], build.body["branch"]) == (PAYLOAD_PROJECT, PUSH_BRANCH)
    assert build.body["source"] == "github"
    assert (log.status, "Left 3 artifacts in" in log.body) == (200, True)
    listed = {entry["path"]: entry for entry in artifacts.body["artifacts"]}
    assert {"dist/app.tar.gz", "report.html", "build-info.json"} <= set(listed)
    info = await get_json(http, cluster.api_url + listed["build-info.json"]["url"])
    assert info.body["BUILD_ID"] == accepted.build_id
