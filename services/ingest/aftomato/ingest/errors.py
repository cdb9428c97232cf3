"""Answers that end a webhook request early: an HTTP status and a message naming the problem."""

from __future__ import annotations

from aftomato.common.http_errors import Refusal


class WebhookRefused(Refusal):
    """The request cannot be taken; ``status`` and ``message`` become the JSON error answer."""


class BadPayload(WebhookRefused):
    status, code = 400, "bad_payload"


class Unauthorized(WebhookRefused):
    status, code = 401, "unauthorized"


class UnknownProvider(WebhookRefused):
    status, code = 404, "unknown_provider"


class TooLarge(WebhookRefused):
    status, code = 413, "body_too_large"


class UnsupportedMediaType(WebhookRefused):
    status, code = 415, "unsupported_media_type"


class Unavailable(WebhookRefused):
    """The broker did not take the messages: the sender must retry later."""

    status, code = 503, "unavailable"
