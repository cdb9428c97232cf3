"""``notifications`` in aftomato.yaml: a Slack-compatible webhook, by URL or by variable name."""

from __future__ import annotations

import pytest

from aftomato.common.scripts.config import (
    NoticeKind,
    ProjectConfigError,
    parse_project_config,
)


def test_a_project_without_notifications_notifies_nobody() -> None:
    assert parse_project_config("image: node:20").notifications.slack is None


def test_a_webhook_url_with_the_default_notices() -> None:
    config = parse_project_config(
        "notifications:\n  slack:\n    webhook: https://hooks.slack.com/services/T/B/x\n"
    )
    slack = config.notifications.slack
    assert slack is not None
    assert slack.webhook == "https://hooks.slack.com/services/T/B/x"
    assert slack.when == (NoticeKind.FAILURE, NoticeKind.RECOVERY)


def test_a_webhook_from_the_watchers_environment_for_failures_only() -> None:
    config = parse_project_config(
        "notifications:\n  slack:\n    webhook_env: SLACK_TEAM_APP\n    when: [failure]\n"
    )
    slack = config.notifications.slack
    assert slack is not None
    assert (slack.webhook, slack.webhook_env, slack.when) == (
        None,
        "SLACK_TEAM_APP",
        (NoticeKind.FAILURE,),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notifications: {slack: {}}", "notifications.slack: give exactly one of webhook"),
        (
            "notifications: {slack: {webhook: 'https://x.test/h', webhook_env: X}}",
            "notifications.slack: give exactly one of webhook",
        ),
        ("notifications: {slack: {webhook: 'ftp://x/h'}}", "notifications.slack.webhook:"),
        ("notifications: {slack: {webhook_env: 'not a name'}}", "notifications.slack.webhook_env"),
        (
            "notifications: {slack: {webhook_env: X, when: [always]}}",
            "notifications.slack.when[0]: Input should be 'failure' or 'recovery'",
        ),
        ("notifications: {email: {to: a@b}}", "notifications.email: unknown field"),
    ],
)
def test_a_bad_notifications_field_is_named(text: str, message: str) -> None:
    with pytest.raises(ProjectConfigError, match=r"^aftomato\.yaml: ") as raised:
        parse_project_config(text)
    assert message in str(raised.value)
