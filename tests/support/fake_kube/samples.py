"""Small valid pod manifests for tests of the fake and of code that talks to it."""

from __future__ import annotations

from tests.support.fake_kube.errors import Obj


def pod(
    name: str,
    labels: dict[str, str] | None = None,
    containers: tuple[str, ...] = ("main",),
    init_containers: tuple[str, ...] = (),
) -> Obj:
    """A ``restartPolicy: Never`` pod with busybox containers of the given names."""
    spec: Obj = {
        "restartPolicy": "Never",
        "containers": [{"name": c, "image": "busybox:1.36"} for c in containers],
    }
    if init_containers:
        spec["initContainers"] = [{"name": c, "image": "busybox:1.36"} for c in init_containers]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": dict(labels or {})},
        "spec": spec,
    }
