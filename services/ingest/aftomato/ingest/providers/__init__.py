"""The webhook providers, one module each, dispatched by the name in ``/hooks/<name>``.

Each module is pure (headers and decoded body in, :class:`~aftomato.ingest.webhooks.Parsed`
out) and exports one ``PROVIDER``. The HTTP layer maps the aliases ``stash`` (Bitbucket Server)
and ``bitbucket`` (Bitbucket Cloud) onto these names.
"""

from __future__ import annotations

from aftomato.ingest.providers import (
    bitbucket_cloud,
    bitbucket_server,
    generic,
    gitea,
    github,
    gitlab,
)
from aftomato.ingest.webhooks import Provider

PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        github.PROVIDER,
        gitlab.PROVIDER,
        bitbucket_server.PROVIDER,
        bitbucket_cloud.PROVIDER,
        gitea.PROVIDER,
        generic.PROVIDER,
    )
}
"""Every provider by its name, which is also its ``build.requested.source`` value."""

__all__ = ["PROVIDERS"]
