"""JSON merge patch (RFC 7386), which the fake also applies for strategic-merge-patch bodies.

A strategic merge patch differs only for lists with merge keys (``containerStatuses`` by
``name``, for instance): here such a list is replaced whole. Send whole lists and both agree.
"""

from __future__ import annotations

from typing import Any

from tests.support.fake_kube.errors import KubeError
from tests.support.fake_kube.trees import copy_tree

MERGE_TYPES = frozenset({"application/merge-patch+json", "application/strategic-merge-patch+json"})


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied; neither argument is changed."""
    if not isinstance(patch, dict):
        return copy_tree(patch)
    result = copy_tree(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def check_patch_type(content_type: str) -> None:
    """415 for patch types the fake does not speak (JSON patch, server-side apply)."""
    if content_type not in MERGE_TYPES:
        raise KubeError(
            415,
            f"the body of the request was in an unknown format ({content_type}) - the fake "
            "accepts application/merge-patch+json and application/strategic-merge-patch+json",
        )
