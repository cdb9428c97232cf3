"""Chat notices on failure and on recovery, per project as its aftomato.yaml says, read by the
real build-scripts reader from a folder; the webhook is the fake SCM server's Slack endpoint."""

from __future__ import annotations

from pathlib import Path

from aftomato.common.messages import Source
from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.projects import CatalogNotifications
from tests.support.fake_scm import Answer, FakeScm
from tests.watcher.reporting.harness import PUBLIC_URL, Build, harness, settings_for


async def notifications(tmp_path: Path, projects: dict[str, str]) -> CatalogNotifications:
    """The build scripts folder with each project's aftomato.yaml, read by the real reader."""
    root = tmp_path / "scripts"
    for key, config in projects.items():
        (root / key).mkdir(parents=True)
        (root / key / "build.sh").write_text("#!/bin/sh\necho build\n")
        (root / key / "aftomato.yaml").write_text(config)
    reader = ScriptsReader(ScriptsRepository(str(root), "main", tmp_path / "cache"))
    await reader.refresh()
    return CatalogNotifications(reader)


def slack_config(scm: FakeScm, when: str = "[failure, recovery]") -> str:
    return f"notifications:\n  slack:\n    webhook: {scm.slack_webhook()}\n    when: {when}\n"


async def test_a_failure_is_told_once_and_its_recovery_once(scm: FakeScm, tmp_path: Path) -> None:
    projects = await notifications(tmp_path, {"octo/app": slack_config(scm)})
    first, second, third = (Build(Source.GITHUB, "octo/app", number=n) for n in (1, 2, 3))
    async with harness(tmp_path, settings_for(scm, "github"), projects=projects) as rig:
        for build, outcome in ((first, BuildState.FAILED), (second, BuildState.SUCCEEDED)):
            assert await rig.deliver(build.requested()) is None
            assert await rig.deliver(build.finished(outcome)) is None
            assert await rig.deliver(build.finished(outcome), count=2) is None
        assert await rig.deliver(third.requested()) is None
        assert await rig.deliver(third.finished()) is None  # success after success: quiet
    texts = [notice["text"] for notice in scm.notices]
    assert len(texts) == 2, texts
    assert texts[0].startswith("Build failed: octo/app main at c0ffee000000: the build failed")
    assert f"<{PUBLIC_URL}/builds/{first.build_id}|build {first.build_id}>" in texts[0]
    assert texts[1].startswith("Build fixed: octo/app main")
    assert scm.problems == []


async def test_cancelled_builds_and_first_successes_say_nothing(
    scm: FakeScm, tmp_path: Path
) -> None:
    projects = await notifications(tmp_path, {"team/app": slack_config(scm)})
    failed, cancelled, succeeded = (Build(Source.API, "team/app", number=n) for n in (1, 2, 3))
    async with harness(tmp_path, settings_for(scm), projects=projects) as rig:
        assert await rig.deliver(succeeded.requested()) is None
        assert await rig.deliver(succeeded.finished()) is None
        for build, outcome in ((failed, BuildState.ERRORED), (cancelled, BuildState.CANCELLED)):
            assert await rig.deliver(build.requested()) is None
            assert await rig.deliver(build.finished(outcome)) is None
    assert [n["text"].split(":")[0] for n in scm.notices] == ["Build errored"]


async def test_recovery_looks_past_cancelled_builds(scm: FakeScm, tmp_path: Path) -> None:
    projects = await notifications(tmp_path, {"team/app": slack_config(scm, "[recovery]")})
    builds = [Build(Source.API, "team/app", number=n) for n in (1, 2, 3)]
    outcomes = [BuildState.TIMED_OUT, BuildState.CANCELLED, BuildState.SUCCEEDED]
    async with harness(tmp_path, settings_for(scm), projects=projects) as rig:
        for build, outcome in zip(builds, outcomes, strict=True):
            assert await rig.deliver(build.requested()) is None
            assert await rig.deliver(build.finished(outcome)) is None
    assert [n["text"].split(":")[0] for n in scm.notices] == ["Build fixed"]


async def test_the_webhook_from_the_environment_and_a_flaky_chat_server(
    scm: FakeScm, tmp_path: Path
) -> None:
    config = "notifications:\n  slack:\n    webhook_env: SLACK_HOOK\n"
    projects = await notifications(tmp_path, {"team/app": config, "team/other": config})
    environ = {"SLACK_HOOK": scm.slack_webhook("from-env")}
    build = Build(Source.API, "team/app")
    async with harness(tmp_path, settings_for(scm), projects=projects, environ=environ) as rig:
        assert await rig.deliver(build.requested()) is None
        scm.answer_next(Answer.server_error(500), Answer.rate_limited(retry_after=1))
        assert await rig.deliver(build.finished(BuildState.FAILED)) is None
    assert len(scm.notices) == 1
    assert [path for path, _ in scm.attempts] == ["/slack/services/from-env"] * 3


async def test_a_missing_webhook_variable_is_logged_not_retried(
    scm: FakeScm, tmp_path: Path
) -> None:
    config = "notifications:\n  slack:\n    webhook_env: SLACK_HOOK\n"
    projects = await notifications(tmp_path, {"team/app": config})
    build = Build(Source.API, "team/app")
    async with harness(tmp_path, settings_for(scm), projects=projects, environ={"X": "y"}) as rig:
        assert await rig.deliver(build.requested()) is None
        assert await rig.deliver(build.finished(BuildState.FAILED)) is None
    assert scm.attempts == []
