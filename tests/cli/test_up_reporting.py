"""``aftomato up`` reports commit statuses like the distributed watcher does.

A signed GitHub push reaches ``up``; the build runs; the fake GitHub sees ``pending`` and then
``success`` for the pushed commit, linking to ``up``'s own build page.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.cli.up_process import UpProcess
from tests.ingest.webhook_client import DELIVERY_HEADERS, payload, signature_headers
from tests.support.fake_scm import FakeScm
from tests.support.waiting import eventually_async

SECRET = "up-reporting-secret"
PUSH = payload("github", "push.json")
COMMIT = json.loads(PUSH)["after"]
PROJECT = json.loads(PUSH)["repository"]["full_name"]


def scripts_with_project(root: Path) -> Path:
    script = root / PROJECT / "build.sh"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\necho built $BRANCH_TO_BUILD\n")
    script.chmod(0o755)
    return root


def free_port() -> int:
    """A port to name up front: statuses link to it, so ``--port 0`` would not do."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def deliver_push(url: str) -> str:
    request = urllib.request.Request(
        f"{url}/hooks/github",
        data=PUSH,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "push",
            DELIVERY_HEADERS["github"]: str(uuid.uuid4()),
            **signature_headers("github", PUSH, SECRET),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 202
        (build,) = json.loads(answer.read())["builds"]
        return str(build["build_id"])


@pytest.mark.integration
async def test_a_pushed_commit_gets_pending_then_success_from_up(tmp_path: Path) -> None:
    async with FakeScm() as scm:
        settings = {
            "AFTOMATO_WEBHOOK_SECRET": SECRET,
            "AFTOMATO_GITHUB_API_URL": scm.base("github"),
            "AFTOMATO_GITHUB_TOKEN": scm.token,
        }
        scripts = scripts_with_project(tmp_path / "scripts")
        arguments = ("--scripts", str(scripts), "--port", str(free_port()))
        up = await asyncio.to_thread(
            UpProcess.start, tmp_path / "data", *arguments, settings=settings
        )
        try:
            build_id = await asyncio.to_thread(deliver_push, up.url)

            async def reported_success() -> bool:
                return scm.states("github", COMMIT)[-1:] == ["success"]

            await eventually_async(reported_success, within=60, what="a success status")
        finally:
            await asyncio.to_thread(up.stop)
        states = scm.states("github", COMMIT)
        assert states[0] == "pending", states
        assert scm.problems == []
        links = {received.body.get("target_url") for received in scm.statuses}
        assert f"{up.url}/builds/{build_id}" in links, links
