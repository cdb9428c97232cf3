"""A Kubernetes API client from the configuration: a kubeconfig, else the in-cluster account."""

from __future__ import annotations

import asyncio

import aiohttp
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
    api_client = client.ApiClient(configuration)
    try:
        await _without_environment_lookups(api_client)
    except BaseException:  # cancelled too: the caller never gets the client to close
        await asyncio.shield(api_client.close())
        raise
    return api_client


async def _without_environment_lookups(api_client: client.ApiClient) -> None:
    """The client's HTTP session, again without ``trust_env``: with it, aiohttp reads the proxy
    variables and ``~/.netrc`` (in a thread) for every request; the API server's address and
    credentials come from the configuration, and a configured proxy is passed per request."""
    rest = api_client.rest_client
    session: aiohttp.ClientSession = rest.pool_manager
    connector = session.connector
    if connector is None or not isinstance(connector, aiohttp.TCPConnector):
        return
    # the same pool size and the SSL context the client built from the configuration
    rest.pool_manager = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connector.limit, ssl=connector._ssl),
        trust_env=False,
        read_bufsize=2**21,  # as the client's own: watch events may be large
    )
    await asyncio.shield(session.close())  # finished even if the start-up is cancelled here
