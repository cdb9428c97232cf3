"""The one shape of an HTTP error answer, ``{"error": {"code", "message"}}``, for every service.

A handler raises a :class:`Refusal` subclass (its ``status`` and ``code`` are class attributes)
and the service's handling turns it into that answer.
"""

from __future__ import annotations

from aiohttp import web


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)


class Refusal(Exception):
    """Ends the request with ``status`` and a JSON error naming the problem."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.headers = headers or {}

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.headers)
