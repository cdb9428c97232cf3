"""No secret value reaches a log line (docs/reliability.md): every log of the four service
processes, from start to stop, is searched for every secret they were given and used."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import aiohttp
import pytest

from aftomato.common.states import BuildState
from tests.e2e.cluster import OPERATOR_TOKEN, WEBHOOK_SECRET, Backends
from tests.e2e.scripts_repo import PAYLOAD_PROJECT
from tests.reliability.conftest import StartCluster
from tests.reliability.deliveries import deliver, push_body
from tests.reliability.ledger import PodLedger, records_follow_pods
from tests.support.fake_scm import FakeScm
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

BUILDS_SECONDS = 60.0


async def test_no_secret_in_use_reaches_any_service_log(
    start_cluster: StartCluster, backends: Backends, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    webhook_secret = f"whsec-{secrets.token_hex(16)}"
    api_token = f"apitok-{secrets.token_hex(16)}"
    aws_key = f"AKIA{secrets.token_hex(8).upper()}"
    aws_secret = f"awssec-{secrets.token_hex(16)}"
    async with FakeScm() as scm:
        settings = {
            "AFTOMATO_WEBHOOK_SECRET": f"{WEBHOOK_SECRET},{webhook_secret}",
            "AFTOMATO_API_TOKENS": f"e2e:operator:{OPERATOR_TOKEN},sec:operator:{api_token}",
            "AWS_ACCESS_KEY_ID": aws_key,
            "AWS_SECRET_ACCESS_KEY": aws_secret,
            "AFTOMATO_GITHUB_API_URL": scm.base("github"),
            "AFTOMATO_GITHUB_TOKEN": scm.token,
        }
        used = {
            "webhook secret": webhook_secret,
            "api token": api_token,
            "aws key": aws_key,
            "aws secret": aws_secret,
            "scm token": scm.token,
        }
        async with start_cluster(backends, settings) as cluster:
            ledger = PodLedger(cluster.fake)
            builds = await _use_every_secret(http, cluster.ingest_url, cluster.api_url, used)
            records = await records_follow_pods(cluster, ledger, builds, within=BUILDS_SECONDS)
            assert {r.state for r in records.values()} == {BuildState.SUCCEEDED}
            await eventually(lambda: "success" in scm.states("github"), within=30)
        assert scm.problems == []

    logs = sorted((tmp_path / "logs").glob("*.log"))
    assert {log.stem for log in logs} == {"ingest", "scheduler", "watcher", "api"}
    text = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "build finished" in text  # the logs hold what happened, so the search means something
    leaked = {
        name: [log.name for log in logs if value in log.read_text()] for name, value in used.items()
    }
    assert {name: where for name, where in leaked.items() if where} == {}


async def _use_every_secret(
    http: aiohttp.ClientSession, ingest_url: str, api_url: str, used: dict[str, str]
) -> list[str]:
    """A push signed with the new secret, one signed with a wrong one, a launch and reads with
    the new token, and requests with a token one character off: the builds started."""
    body = push_body(PAYLOAD_PROJECT, "secrets")
    signed = await deliver(http, ingest_url, body, str(uuid.uuid4()), used["webhook secret"])
    assert signed.status == 202, signed
    wrong = await deliver(http, ingest_url, body, str(uuid.uuid4()), used["webhook secret"] + "x")
    assert wrong.status == 401, wrong
    token = {"Authorization": f"Bearer {used['api token']}"}
    launch = {"project": PAYLOAD_PROJECT, "branch": "launched"}
    async with http.post(f"{api_url}/api/v1/builds", json=launch, headers=token) as answer:
        assert answer.status == 202, await answer.text()
        launched = str((await answer.json())["build_id"])
    off = {"Authorization": f"Bearer {used['api token']}x"}
    for method, path in [("GET", "/api/v1/builds"), ("POST", "/api/v1/builds")]:
        async with http.request(method, f"{api_url}{path}", json=launch, headers=off) as answer:
            assert answer.status == 401, await answer.text()
    async with http.post(f"{api_url}/api/v1/session", json={"token": used["api token"] + "x"}):
        pass
    return [*signed.build_ids, launched]
