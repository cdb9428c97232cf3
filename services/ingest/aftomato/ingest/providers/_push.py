"""The single-ref push that GitHub, Gitea and GitLab send (``ref``, ``before``, ``after``).

The three differ only in where they keep the project key, clone URL, pusher and commit, so each
describes that with a :class:`PushShape` and shares :func:`parse_push`. GitHub and Gitea also
share the ``delete`` event (:func:`parse_delete`).
"""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.common.messages import RefType
from aftomato.ingest.projection import Projection, projection
from aftomato.ingest.providers._fields import field, first_field, optional_field
from aftomato.ingest.providers._refs import (
    checked_branch,
    checked_commit,
    deletion_reason,
    is_zero_sha,
    not_branch_or_tag,
    project_key_at,
    split_ref,
)
from aftomato.ingest.webhooks import BuildRef, Parsed

_REF, _DELETED, _NEW_HEAD = "ref", "deleted", "after"
"""Where every one of these pushes keeps the ref, the deletion flag and the new head."""


@dataclass(frozen=True, slots=True)
class PushShape:
    """Where a provider's push body keeps what a build needs (dotted paths)."""

    project_key: str
    repo_url: tuple[str, ...]
    """Tried in order: the first present is the clone URL."""
    actor: tuple[str, ...]
    """Tried in order: the first present is the pusher."""
    commit: tuple[str, ...] = (_NEW_HEAD,)
    """Tried in order; the last one is required."""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path :func:`parse_push` reads with this shape (its projection)."""
        return (
            _REF,
            _DELETED,
            _NEW_HEAD,
            self.project_key,
            *self.commit,
            *self.repo_url,
            *self.actor,
        )


def push_projection(shape: PushShape) -> Projection:
    """Decodes a push body into only what :func:`parse_push` reads with ``shape``."""
    return projection(shape.paths)


def parse_push(payload: object, shape: PushShape) -> Parsed:
    """One build for a pushed branch or tag; nothing for a deletion or another kind of ref."""
    ref = field(payload, _REF, str)
    split = split_ref(ref)
    if split is None:
        return Parsed.nothing(not_branch_or_tag(ref))
    name, ref_type = split
    deleted = optional_field(payload, _DELETED, bool)
    if deleted or is_zero_sha(optional_field(payload, _NEW_HEAD, str)):
        return Parsed.nothing(deletion_reason(ref_type))
    build = BuildRef(
        project_key=project_key_at(payload, shape.project_key),
        branch=checked_branch(name, _REF),
        ref_type=ref_type,
        commit=_commit(payload, shape.commit),
        repo_url=first_field(payload, shape.repo_url, str),
        actor=first_field(payload, shape.actor, str),
    )
    return Parsed((build,))


def _commit(payload: object, paths: tuple[str, ...]) -> str:
    for path in paths[:-1]:
        value = optional_field(payload, path, str)
        if value is not None:
            return checked_commit(value, path)
    return checked_commit(field(payload, paths[-1], str), paths[-1])


def parse_delete(payload: object) -> Parsed:
    """GitHub's and Gitea's ``delete`` event (``ref_type`` ``branch`` or ``tag``) builds nothing."""
    ref_type = RefType.TAG if field(payload, "ref_type", str) == "tag" else RefType.BRANCH
    return Parsed.nothing(deletion_reason(ref_type))
