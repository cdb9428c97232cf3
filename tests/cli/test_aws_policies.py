"""The IAM policies ``aftomato aws`` prints: least privilege, on the configured names only."""

from __future__ import annotations

import json

import pytest

from aftomato.cli.aws import main
from aftomato.cli.aws.policies import service_policies


def test_every_statement_names_actions_and_resources_without_wildcard_actions() -> None:
    policies = service_policies("t", "logs", "arts")
    assert set(policies) == {"watcher", "api", "build-pods"}
    for policy in policies.values():
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            assert all("*" not in action for action in statement["Action"])
            for resource in statement["Resource"]:
                assert resource.startswith(("arn:aws:dynamodb:*:*:table/t", "arn:aws:s3:::"))
                assert resource != "arn:aws:s3:::*"


def test_only_the_watcher_writes_records_and_logs_and_builds_write_artifacts() -> None:
    policies = service_policies("t", "logs", "arts")

    def writes(principal: str) -> set[str]:
        return {
            resource
            for statement in policies[principal]["Statement"]
            for action in statement["Action"]
            if action in {"dynamodb:PutItem", "s3:PutObject"}
            for resource in statement["Resource"]
        }

    assert writes("watcher") == {
        "arn:aws:dynamodb:*:*:table/t",
        "arn:aws:dynamodb:*:*:table/t/index/*",
        "arn:aws:s3:::logs/*",
    }
    assert writes("api") == set()
    assert writes("build-pods") == {"arn:aws:s3:::arts/*"}


def test_the_policies_command_prints_json_for_the_configured_names(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTOMATO_DYNAMODB_TABLE", "records")
    assert main(["policies", "--logs-bucket", "my-logs"]) == 0
    out = capsys.readouterr().out
    assert "ingest and scheduler need no AWS access" in out
    watcher = out.split("# watcher\n", 1)[1].split("\n\n# ", 1)[0]
    resources = [r for s in json.loads(watcher)["Statement"] for r in s["Resource"]]
    assert "arn:aws:dynamodb:*:*:table/records" in resources
    assert "arn:aws:s3:::my-logs/*" in resources


def test_a_retention_below_one_day_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bootstrap", "--log-retention-days", "0", "--dry-run"]) == 2
    assert "--log-retention-days must be at least 1" in capsys.readouterr().err
