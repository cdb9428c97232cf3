"""Names and labels of build pods: deterministic, always valid, exact values kept elsewhere.

Kubernetes label values are at most 63 characters of ``A-Z a-z 0-9 . _ -`` starting and ending
with a letter or digit; project keys and branches are not. :func:`label_value` makes them fit
(``feature/Login`` -> ``feature-Login``); the exact values travel in annotations.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_SELECTOR = f"{MANAGED_BY}=aftomato"
"""The label selector of every build pod."""
BUILD_ID_LABEL = "aftomato.io/build-id"
PROJECT_LABEL = "aftomato.io/project"
BRANCH_LABEL = "aftomato.io/branch"

MAX_LABEL_VALUE = 63
MAX_POD_NAME = 63
"""Pod names may be longer, but the pod's hostname is its name cut at 63: keep them equal."""
POD_NAME_PREFIX = "build-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_EDGES = "._-"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def pod_name(build_id: str) -> str:
    """``build-<build id>``; a build id too long for that keeps its start and gets a hash."""
    name = POD_NAME_PREFIX + build_id
    if len(name) <= MAX_POD_NAME:
        return name
    digest = _digest(build_id)
    return f"{name[: MAX_POD_NAME - len(digest) - 1].rstrip('-')}-{digest}"


def label_value(text: str) -> str:
    """``text`` as a valid label value: accents folded, other characters outside
    ``A-Z a-z 0-9 . _ -`` replaced by ``-``, the ends trimmed to a letter or digit; too long (or
    nothing left of it) it is cut and ends with a hash of the exact text, so it stays distinct.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    value = _UNSAFE.sub("-", folded).strip(_EDGES)
    if len(value) <= MAX_LABEL_VALUE and (value or not text):
        return value
    digest = _digest(text)
    return f"{value[: MAX_LABEL_VALUE - len(digest) - 1].rstrip(_EDGES)}-{digest}".lstrip("-")
