"""Kubernetes ``Status`` bodies and the one exception the fake raises to answer with one.

Every error the fake returns is a ``v1 Status`` shaped like the real API server's, so
kubernetes-asyncio raises ``ApiException`` with the right ``status`` and a body a consumer can read.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

_REASONS = {
    400: "BadRequest",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    500: "InternalError",
    503: "ServiceUnavailable",
}


def status_body(
    code: int, message: str, reason: str | None = None, details: Obj | None = None
) -> Obj:
    """A ``Status`` object with ``status: Failure``, as the API server sends for every error."""
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason or _REASONS.get(code, "Unknown"),
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


class KubeError(Exception):
    """Raised anywhere in the fake; the server turns it into an HTTP answer with a Status body."""

    def __init__(
        self, code: int, message: str, reason: str | None = None, details: Obj | None = None
    ):
        super().__init__(message)
        self.code = code
        self.status = status_body(code, message, reason, details)


def not_found(name: str) -> KubeError:
    return KubeError(404, f'pods "{name}" not found', details={"name": name, "kind": "pods"})


def already_exists(name: str) -> KubeError:
    return KubeError(
        409,
        f'pods "{name}" already exists',
        "AlreadyExists",
        {"name": name, "kind": "pods"},
    )


def conflict(name: str) -> KubeError:
    return KubeError(
        409,
        f'Operation cannot be fulfilled on pods "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        "Conflict",
        {"name": name, "kind": "pods"},
    )


def bad_request(message: str) -> KubeError:
    return KubeError(400, message)


def invalid(name: str, causes: list[tuple[str, str, str]]) -> KubeError:
    """422 Invalid; ``causes`` are ``(field, cause reason, detail)``, the first one leads."""
    parts = [f"{field}: {detail}" for field, _, detail in causes]
    listed = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return KubeError(
        422,
        f'Pod "{name}" is invalid: {listed}',
        "Invalid",
        {
            "name": name,
            "kind": "Pod",
            "causes": [
                {"reason": reason, "message": detail, "field": field}
                for field, reason, detail in causes
            ],
        },
    )


def expired(requested: int, oldest: int) -> KubeError:
    """What a watch from a compacted resourceVersion gets, as an ERROR event (not an HTTP code)."""
    return KubeError(410, f"too old resource version: {requested} ({oldest})", "Expired")
