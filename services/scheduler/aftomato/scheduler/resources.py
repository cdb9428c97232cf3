"""The build container's resources: the project's requests and limits over the defaults.

Each quantity the project sets replaces the default one. Where that would leave a request above
a limit (a project asking 4Gi of memory under the default 2Gi limit, or limiting memory to 256Mi
under the default 512Mi request), the default side moves to the project's value, since the
API server refuses a request above its limit.
"""

from __future__ import annotations

from aftomato.common.scripts.config import Resources
from aftomato.common.scripts.fields import quantity_value

Quantities = dict[str, str]


def build_resources(project: Resources, defaults: dict[str, Quantities]) -> dict[str, Quantities]:
    """``{"requests": ..., "limits": ...}`` for the build container."""
    wanted_requests = project.requests.as_manifest()
    wanted_limits = project.limits.as_manifest()
    requests = {**defaults.get("requests", {}), **wanted_requests}
    limits = {**defaults.get("limits", {}), **wanted_limits}
    for name in requests.keys() & limits.keys():
        if quantity_value(requests[name]) <= quantity_value(limits[name]):
            continue
        if name in wanted_requests:
            limits[name] = requests[name]
        else:
            requests[name] = limits[name]
    resources = {"requests": requests, "limits": limits}
    return {kind: quantities for kind, quantities in resources.items() if quantities}
