"""Answers that end a request early, and the middleware that makes every failure a JSON error.

Every error under ``/api/`` is ``{"error": {"code", "message"}}`` with the right status: the
router's own 404 and 405, a body too large, a back end that cannot be reached (503), and the
domain errors of the stores (a bad cursor, a bad blob key) alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from aftomato.common.blobs.store import BlobStoreUnavailable, InvalidBlobKey
from aftomato.common.bus import BusUnavailable, PublishError
from aftomato.common.coordination.store import CoordinationUnavailable
from aftomato.common.http_errors import Refusal, error_response
from aftomato.common.logging import get_logger
from aftomato.common.records.cursor import InvalidCursor
from aftomato.common.records.store import StoreUnavailable
from aftomato.common.scripts.catalog import CatalogNotRead

log = get_logger(__name__)

API_PREFIX = "/api/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Refusal):
    """Ends the request with ``status`` and a JSON error naming the problem."""


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unavailable(ApiError):
    status, code = 503, "unavailable"


UNAVAILABLE = (
    StoreUnavailable,
    BlobStoreUnavailable,
    CoordinationUnavailable,
    BusUnavailable,
    PublishError,
    CatalogNotRead,
)
"""A back end that cannot answer now: the client may retry later (503)."""


def _http_code(reason: str) -> str:
    return reason.lower().replace(" ", "_").replace("-", "_")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API failures as JSON errors; pages outside ``/api/`` keep aiohttp's own error pages."""
    try:
        return await handler(request)
    except ApiError as error:
        return error.response()
    except web.HTTPException as http_error:
        if http_error.status < 400 or not request.path.startswith(API_PREFIX):
            raise
        message = f"{http_error.reason}: {request.method} {request.path}"
        return error_response(http_error.status, _http_code(http_error.reason), message)
    except InvalidCursor as error:
        return error_response(400, "invalid_cursor", str(error))
    except InvalidBlobKey as error:
        return error_response(404, "not_found", str(error))
    except UNAVAILABLE as error:
        log.warning("back end unavailable", path=request.path, error=str(error))
        return error_response(503, "unavailable", f"a back end is unavailable now: {error}")
    except Exception:
        log.exception("unexpected error", path=request.path)
        return error_response(500, "internal", "internal error; see the service log")
