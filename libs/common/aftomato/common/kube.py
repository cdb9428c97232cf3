"""A Kubernetes API client from the configuration: a kubeconfig, else the in-cluster account."""

from __future__ import annotations

from kubernetes_asyncio import client, config

from aftomato.common.settings import KubeSettings, SettingsError


async def kube_api_client(settings: KubeSettings) -> client.ApiClient:
    """The caller closes it (``await api_client.close()``)."""
    configuration = client.Configuration()
    try:
        if settings.kubeconfig:
            await config.load_kube_config(
                config_file=settings.kubeconfig, client_configuration=configuration
            )
        else:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except (config.ConfigException, OSError) as error:
        where = settings.kubeconfig or "the in-cluster service account"
        raise SettingsError(
            f"Kubernetes settings: KUBECONFIG: cannot load {where}: {error}"
        ) from error
    return client.ApiClient(configuration)
