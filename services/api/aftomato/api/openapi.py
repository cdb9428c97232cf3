"""The OpenAPI 3.1 document, generated from the route table and the pydantic models: a route
the app serves is a route the document describes, with the schema its answers are built from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from aftomato.api.models import Error
from aftomato.api.routing import Route

_REF = "#/components/schemas/{model}"
_REASONS = {
    400: "Bad input; the message names it",
    401: "No or unknown token",
    403: "Role too low, or the CSRF header missing",
    404: "No such build, project, artifact or log",
    409: "Conflict with the build's state",
    413: "Body too large",
    415: "Body not JSON",
    503: "A back end is unavailable now",
}


def openapi_document(routes: Sequence[Route], *, version: str) -> dict[str, Any]:
    refs, schemas = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation = _operation(route, refs)
        paths.setdefault(route.documented_path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Aftomato API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "aftomato_session"},
            },
        },
    }


Refs = Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]


def _schemas(routes: Sequence[Route]) -> tuple[Refs, dict[str, Any]]:
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Error, "serialization")}
    for route in routes:
        if route.answer is not None:
            wanted.add((route.answer, "serialization"))
        if route.body is not None:
            wanted.add((route.body, "validation"))
    ordered = sorted(wanted, key=lambda item: (item[0].__name__, item[1]))
    refs, top = models_json_schema(ordered, ref_template=_REF)
    return refs, dict(top.get("$defs", {}))


def _operation(route: Route, refs: Refs) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": _operation_id(route),
        "parameters": _parameters(route),
        "responses": _responses(route, refs),
        "security": [{}, {"bearer": []}, {"session": []}],
    }
    if route.body is not None:
        schema = refs[(route.body, "validation")]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    return operation


def _operation_id(route: Route) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", route.documented_path.removeprefix("/api/v1/"))
    return f"{route.method.lower()}_{words.strip('_')}"


def _parameters(route: Route) -> list[dict[str, Any]]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)", route.path)
    ]
    for param in route.params:
        found.append(
            {
                "name": param.name,
                "in": param.where,
                "required": param.required,
                "description": param.description,
                "schema": param.schema,
            }
        )
    return found


def _responses(route: Route, refs: Refs) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    if route.answer is not None:
        success["content"] = {"application/json": {"schema": refs[(route.answer, "serialization")]}}
    elif route.status != 204:
        success["content"] = {route.media: {"schema": {"type": "string"}}}
    error = {"application/json": {"schema": refs[(Error, "serialization")]}}
    responses: dict[str, Any] = {str(route.status): success}
    for status in sorted({*route.errors, 401, 403, 413, 503}):
        responses[str(status)] = {"description": _REASONS[status], "content": error}
    responses["default"] = {"description": "Any other error", "content": error}
    return responses
