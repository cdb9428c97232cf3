"""A Slack-compatible incoming webhook: one JSON ``{"text": ...}`` per notice.

Mattermost, Rocket.Chat and Microsoft Teams' Slack-compatible endpoints take the same body.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftomato.common.records.model import BuildRecord
from aftomato.common.scripts.config import NoticeKind, SlackNotifications
from aftomato.watcher.reporting.scm import ApiRequest

_HEADLINES = {NoticeKind.FAILURE: "Build {state}", NoticeKind.RECOVERY: "Build fixed"}


class WebhookMissing(LookupError):
    """``webhook_env`` names a variable the watcher does not have."""


def webhook_url(slack: SlackNotifications, environ: Mapping[str, str]) -> str:
    if slack.webhook is not None:
        return slack.webhook
    name = slack.webhook_env or ""
    url = environ.get(name, "")
    if not url:
        raise WebhookMissing(f"notifications.slack.webhook_env: {name} is not set on the watcher")
    return url


def notice_text(record: BuildRecord, kind: NoticeKind, build_page: str) -> str:
    headline = _HEADLINES[kind].format(state=record.state.value.replace("_", " "))
    commit = f" at {record.commit[:12]}" if record.commit else ""
    reason = f": {record.reason}" if kind is NoticeKind.FAILURE and record.reason else ""
    return (
        f"{headline}: {record.project_key} {record.branch}{commit}{reason} "
        f"<{build_page}|build {record.build_id}>"
    )


def notice_request(url: str, text: str) -> ApiRequest:
    return ApiRequest("POST", url, {}, {"text": text}, secrets=(url,))
