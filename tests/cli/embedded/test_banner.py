"""The printed webhook command: a shell line whose body the ingest's own check accepts."""

from __future__ import annotations

import json
import shlex

from aftomato.cli.embedded.banner import banner, signed_webhook_curl
from aftomato.ingest.signatures import verify_hmac_sha256


def test_the_curl_command_is_signed_with_the_secret_over_its_exact_body() -> None:
    words = shlex.split(signed_webhook_curl("http://127.0.0.1:8080", "s3cret-value"))
    assert words[:2] == ["curl", "--fail-with-body"]
    assert "http://127.0.0.1:8080/hooks/generic" in words
    body = words[words.index("--data-binary") + 1].encode()
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    assert verify_hmac_sha256(headers["X-Aftomato-Signature"], body, ["s3cret-value"])
    assert not verify_hmac_sha256(headers["X-Aftomato-Signature"], body, ["another"])
    request = json.loads(body)
    assert (request["project_key"], request["branch"]) == ("examples/hello-world", "main")


def test_each_command_is_a_new_delivery_and_never_shows_the_secret() -> None:
    first = signed_webhook_curl("http://h:1", "s3cret-value")
    second = signed_webhook_curl("http://h:1", "s3cret-value")
    assert first != second  # a new delivery id: each printed command builds once
    assert "s3cret-value" not in first


def test_the_banner_names_the_dashboard_the_token_and_the_command() -> None:
    text = banner("http://127.0.0.1:8080", "curl ...", "tok-123", "/data")
    assert "Aftomato is up: http://127.0.0.1:8080/" in text
    assert "tok-123" in text
    assert "\ncurl ...\n" in text
    configured = banner("http://127.0.0.1:8080", "curl ...", None, "/data")
    assert "AFTOMATO_API_TOKENS" in configured
