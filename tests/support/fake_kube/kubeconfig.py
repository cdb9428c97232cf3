"""A kubeconfig that points a process (a service under test) at a fake API server's URL."""

from __future__ import annotations

import json
from pathlib import Path


def write_kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig for ``server`` (plain HTTP), with a user that has no credentials."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "test", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "test"}}],
        "current-context": "fake",
    }
    path.write_text(json.dumps(config))
    return path
