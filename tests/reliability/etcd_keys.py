"""Reading the scheduler's keys straight from etcd (its JSON gateway), to see a lock as it is."""

from __future__ import annotations

import base64
import json
import urllib.request

from aftomato.common.coordination.keys import BuildKeys, branch_key


def lock_holder(etcd_url: str, prefix: str, project_key: str, branch: str) -> str | None:
    """The build id the lock of ``project_key`` + ``branch`` holds, or ``None`` if free."""
    key = BuildKeys(prefix).lock(branch_key(project_key, branch))
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    request = urllib.request.Request(f"{etcd_url}/v3/kv/range", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        kvs = json.loads(response.read()).get("kvs", [])
    return base64.b64decode(kvs[0]["value"]).decode() if kvs else None
