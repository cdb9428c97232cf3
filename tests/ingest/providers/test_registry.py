from __future__ import annotations

import hashlib

import pytest

from aftomato.common.messages import Source
from aftomato.ingest.providers import PROVIDERS
from tests.ingest.providers import headers

DELIVERY_HEADERS = {
    "github": "X-GitHub-Delivery",
    "gitlab": "X-Gitlab-Event-UUID",
    "bitbucket-server": "X-Request-Id",
    "bitbucket-cloud": "X-Request-UUID",
    "gitea": "X-Gitea-Delivery",
    "generic": "X-Aftomato-Delivery",
}
BODY = b'{"zen": "Keep it logically awesome."}'
DIGEST = "sha256:" + hashlib.sha256(BODY).hexdigest()


def test_every_webhook_source_has_a_provider_under_its_own_name() -> None:
    webhook_sources = {source.value for source in Source} - {"api", "bus"}
    assert set(PROVIDERS) == webhook_sources
    assert all(name == provider.name for name, provider in PROVIDERS.items())


@pytest.mark.parametrize(("name", "header"), DELIVERY_HEADERS.items())
def test_the_delivery_id_is_the_scm_s_header_in_any_case(name: str, header: str) -> None:
    delivery_id = PROVIDERS[name].delivery_id
    assert (
        delivery_id(headers(**{header.lower().replace("-", "_"): " abc-123 "}), BODY) == "abc-123"
    )
    assert delivery_id(headers(**{header.upper().replace("-", "_"): "abc-123"}), BODY) == "abc-123"


@pytest.mark.parametrize("name", DELIVERY_HEADERS)
@pytest.mark.parametrize("value", [None, "", "x" * 257, "a\nb", "two words"])
def test_without_a_usable_header_the_body_digest_identifies_the_delivery(
    name: str, value: str | None
) -> None:
    sent = {} if value is None else {DELIVERY_HEADERS[name].replace("-", "_"): value}
    assert PROVIDERS[name].delivery_id(headers(**sent), BODY) == DIGEST
