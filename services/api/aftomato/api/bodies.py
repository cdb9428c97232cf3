"""Reading what a client sent: JSON bodies into models, query parameters into values, each
failure a 400 (or 415) that names the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from aftomato.api.errors import BadRequest, NotFound, UnsupportedMediaType
from aftomato.api.models import BUILD_ID_PATTERN
from aftomato.common.records.store import MAX_PAGE

Model = TypeVar("Model", bound=BaseModel)
_BUILD_ID_LENGTH = 32


async def read_json(request: web.Request, model: type[Model]) -> Model:
    if request.content_type not in ("application/json", "application/octet-stream"):
        raise UnsupportedMediaType(f"send the body as application/json, not {request.content_type}")
    text = await request.text()
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise BadRequest(f"the body is not valid JSON: {error}", code="bad_json") from None
    return validated(model, raw)


def validated(model: type[Model], raw: object) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise BadRequest(describe(error), code="invalid_body") from None


def describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in detail["loc"]) or "body"
        problems.append(f"{where}: {detail['msg']}")
    return "; ".join(problems)


def build_id(request: web.Request) -> str:
    """The build id of the path; 404 for anything that cannot be one."""
    value = request.match_info["build_id"]
    if len(value) != _BUILD_ID_LENGTH or value.strip("0123456789abcdef"):
        raise NotFound(f"no build {value!r}: a build id is {BUILD_ID_PATTERN}")
    return value


def limit(request: web.Request, default: int = 50) -> int:
    text = request.query.get("limit")
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"limit {text!r} is not a whole number", code="invalid_limit") from None
    if not 1 <= value <= MAX_PAGE:
        raise BadRequest(f"limit {value} is out of range: 1 to {MAX_PAGE}", code="invalid_limit")
    return value


def since(request: web.Request) -> datetime | None:
    text = request.query.get("since")
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"since {text!r} is not an ISO 8601 time", code="invalid_since") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment.timestamp()
    except (OverflowError, ValueError):
        raise BadRequest(f"since {text!r} is out of range", code="invalid_since") from None
    return moment


def required(request: web.Request, name: str) -> str:
    value = request.query.get(name)
    if not value:
        raise BadRequest(f"the query parameter {name!r} is required", code="missing_parameter")
    return value
