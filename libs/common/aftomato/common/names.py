"""Rules for the names that travel through Aftomato: project keys, branches, build parameters.

Pure checks shared by every producer of ``build.requested`` (ingest, api, other systems through
the message schema). Each returns the value unchanged or raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

import re

MAX_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
RESERVED_PARAMETERS = frozenset(
    {
        "BUILD_ID",
        "PROJECT_KEY",
        "BRANCH_TO_BUILD",
        "COMMIT_TO_BUILD",
        "PULL_REQUEST",
        "ARTIFACTS_DIR",
    }
)


def _check_common(kind: str, value: str) -> None:
    if not value:
        raise ValueError(f"{kind} is empty")
    if len(value.encode()) > MAX_NAME_BYTES:
        raise ValueError(f"{kind} is longer than {MAX_NAME_BYTES} bytes")
    if _CONTROL.search(value):
        raise ValueError(f"{kind} contains a control character")
    if value.startswith("-"):
        raise ValueError(f"{kind} starts with '-'")


def check_project_key(value: str) -> str:
    """A project key is a relative path of one or more segments (``owner/repo``, ``a/b/c``)."""
    _check_common("project key", value)
    if value.startswith("/") or value.endswith("/"):
        raise ValueError("project key starts or ends with '/'")
    for segment in value.split("/"):
        if segment in {"", ".", ".."}:
            raise ValueError(f"project key has an empty, '.' or '..' segment: {value!r}")
        if segment.startswith("-"):
            raise ValueError("project key has a segment starting with '-'")
    return value


def check_branch(value: str) -> str:
    """A branch or tag name, kept exactly as the SCM sent it (no lower-casing)."""
    _check_common("branch", value)
    if ".." in value:
        raise ValueError("branch contains '..'")
    if value.startswith("/") or value.endswith("/"):
        raise ValueError("branch starts or ends with '/'")
    return value


def check_parameter_name(value: str) -> str:
    """Build parameters become environment variables of the build script."""
    if not _PARAMETER_NAME.match(value):
        raise ValueError(f"parameter name {value!r} is not a valid environment variable name")
    if value in RESERVED_PARAMETERS or value.startswith("AFTOMATO_"):
        raise ValueError(f"parameter name {value!r} is reserved by Aftomato")
    return value
