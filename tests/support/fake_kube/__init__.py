"""An in-process fake Kubernetes API server for core v1 pods, driven through kubernetes-asyncio.

Start with ``FakeKube`` (or the ``fake_kube`` fixture in ``fixture.py``) and ``core_v1(url)``.
"""

from tests.support.fake_kube.client import api_client, as_pod, core_v1, error_status
from tests.support.fake_kube.control import FakeKube
from tests.support.fake_kube.errors import KubeError
from tests.support.fake_kube.faults import RequestRecord
from tests.support.fake_kube.store import Counters
from tests.support.fake_kube.validation import known_versions, latest_version

__all__ = [
    "Counters",
    "FakeKube",
    "KubeError",
    "RequestRecord",
    "api_client",
    "as_pod",
    "core_v1",
    "error_status",
    "known_versions",
    "latest_version",
]
