"""Git refs and the checked values a :class:`BuildRef` is made of.

Every value that reaches a build (project key, branch, commit, pull-request number) goes through
one of the ``checked_*`` functions, so an unsafe name is refused with a ``PayloadError`` that names
the field it came from, before anything is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aftomato.common.messages import RefType
from aftomato.common.names import check_branch, check_project_key
from aftomato.ingest.providers._fields import field
from aftomato.ingest.webhooks import BuildRef, Parsed, PayloadError

_PREFIXES = (("refs/heads/", RefType.BRANCH), ("refs/tags/", RefType.TAG))
_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")
_ZERO = re.compile(r"0+")


def split_ref(ref: str) -> tuple[str, RefType] | None:
    """``refs/heads/x`` → (``x``, branch), ``refs/tags/v1`` → (``v1``, tag); None for others."""
    for prefix, ref_type in _PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :], ref_type
    return None


def not_branch_or_tag(ref: str) -> str:
    """The reason a ref outside ``refs/heads/`` and ``refs/tags/`` builds nothing."""
    return f"ref {ref!r} is not a branch or tag"


def is_zero_sha(sha: str | None) -> bool:
    """True for the all-zero object id SCMs send as the new commit of a deleted ref."""
    return sha is not None and _ZERO.fullmatch(sha) is not None


def deletion_reason(ref_type: RefType) -> str:
    return "tag deletion" if ref_type is RefType.TAG else "branch deletion"


def checked_project_key(value: str, path: str) -> str:
    try:
        return check_project_key(value)
    except ValueError as exc:
        raise PayloadError(f"unsafe project key in field {path}: {exc}") from exc


def checked_branch(value: str, path: str) -> str:
    try:
        return check_branch(value)
    except ValueError as exc:
        raise PayloadError(f"unsafe branch in field {path}: {exc}") from exc


def checked_commit(value: str, path: str) -> str:
    if _COMMIT.fullmatch(value) is None:
        raise PayloadError(f"field {path} is not a commit hash")
    return value


def checked_number(value: int, path: str) -> int:
    if value < 1:
        raise PayloadError(f"field {path} is not a positive pull-request number")
    return value


def project_key_at(payload: object, path: str) -> str:
    """The checked project key at ``path`` (required)."""
    return checked_project_key(field(payload, path, str), path)


def branch_at(payload: object, path: str) -> str:
    """The checked branch name at ``path`` (required), kept exactly."""
    return checked_branch(field(payload, path, str), path)


def commit_at(payload: object, path: str) -> str:
    """The checked commit hash at ``path`` (required)."""
    return checked_commit(field(payload, path, str), path)


def number_at(payload: object, path: str) -> int:
    """The checked pull-request number at ``path`` (required)."""
    return checked_number(field(payload, path, int), path)


@dataclass(frozen=True, slots=True)
class Pushed:
    """One ref of a multi-ref push: what its build needs beyond the repository's fields."""

    branch: str
    ref_type: RefType
    commit: str


def collect(
    outcomes: Iterable[Pushed | str], *, project_key: str, repo_url: str | None, actor: str | None
) -> Parsed:
    """One build per pushed ref; when there are none, the reasons (each once) joined."""
    builds: list[BuildRef] = []
    reasons: dict[str, None] = {}
    for outcome in outcomes:
        if isinstance(outcome, str):
            reasons[outcome] = None
            continue
        build = BuildRef(
            project_key=project_key,
            branch=outcome.branch,
            ref_type=outcome.ref_type,
            commit=outcome.commit,
            repo_url=repo_url,
            actor=actor,
        )
        builds.append(build)
    if builds:
        return Parsed(tuple(builds))
    return Parsed.nothing("; ".join(reasons) or "no ref changed")
