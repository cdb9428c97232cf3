"""The Kubernetes API client from a kubeconfig: its own HTTP session, and never one left open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from aftomato.common import kube
from aftomato.common.settings import KubeSettings

KUBECONFIG = """
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


@pytest.fixture
def settings(tmp_path: Path) -> KubeSettings:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return KubeSettings.model_validate({"KUBECONFIG": str(path)})


async def test_the_client_reads_no_proxy_settings_and_closes(settings: KubeSettings) -> None:
    api_client = await kube.kube_api_client(settings)
    session = api_client.rest_client.pool_manager
    assert api_client.configuration.host == "http://127.0.0.1:1"
    assert session.trust_env is False
    await api_client.close()
    assert session.closed


async def test_a_start_up_that_fails_closes_the_client_it_made(
    settings: KubeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[client.ApiClient] = []

    class Recorded(client.ApiClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    async def fails(api_client: client.ApiClient) -> None:
        raise RuntimeError("no session for you")

    monkeypatch.setattr(client, "ApiClient", Recorded)  # the module kube.py calls it from
    monkeypatch.setattr(kube, "_without_environment_lookups", fails)
    with pytest.raises(RuntimeError, match="no session"):
        await kube.kube_api_client(settings)
    (api_client,) = made
    assert api_client.rest_client.pool_manager.closed
