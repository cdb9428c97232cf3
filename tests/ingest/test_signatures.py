from __future__ import annotations

import hashlib
import hmac

import pytest
from multidict import CIMultiDict

from aftomato.ingest.providers import PROVIDERS
from aftomato.ingest.signatures import hmac_sha256, verify_hmac_sha256, verify_token

BODY = b'{"ref": "refs/heads/main"}'
OLD, NEW, OTHER = "old-secret", "new-secret", "someone-else"


def hex_digest(secret: str, body: bytes = BODY) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(provider: str, secret: str, body: bytes = BODY) -> CIMultiDict[str]:
    """The signature header the SCM sends (under a lower-case name: names are case-insensitive)."""
    if provider == "gitlab":
        return CIMultiDict({"x-gitlab-token": secret})
    if provider == "gitea":
        return CIMultiDict({"x-gitea-signature": hex_digest(secret, body)})
    header = PROVIDERS[provider].signature_header.lower()
    return CIMultiDict({header: "sha256=" + hex_digest(secret, body)})


def verify(provider: str, sent: CIMultiDict[str], secrets: list[str], body: bytes = BODY) -> bool:
    return PROVIDERS[provider].verify(sent, body, secrets)


NAMES = sorted(PROVIDERS)


@pytest.mark.parametrize("provider", NAMES)
def test_a_good_signature_is_accepted(provider: str) -> None:
    assert verify(provider, signed(provider, NEW), [NEW])


@pytest.mark.parametrize("provider", NAMES)
def test_a_signature_under_another_secret_is_refused(provider: str) -> None:
    assert not verify(provider, signed(provider, OTHER), [NEW])


@pytest.mark.parametrize("provider", sorted(set(NAMES) - {"gitlab"}))
def test_a_changed_body_is_refused(provider: str) -> None:
    assert not verify(provider, signed(provider, NEW), [NEW], body=BODY + b" ")


@pytest.mark.parametrize("provider", NAMES)
def test_a_missing_header_is_refused(provider: str) -> None:
    assert not verify(provider, CIMultiDict(), [NEW])


@pytest.mark.parametrize("provider", NAMES)
def test_during_a_rotation_old_and_new_secrets_are_accepted_and_no_other(provider: str) -> None:
    assert verify(provider, signed(provider, OLD), [OLD, NEW])
    assert verify(provider, signed(provider, NEW), [OLD, NEW])
    assert not verify(provider, signed(provider, OTHER), [OLD, NEW])


@pytest.mark.parametrize("provider", NAMES)
@pytest.mark.parametrize("secrets", [[], [""]])
def test_no_secret_verifies_nothing(provider: str, secrets: list[str]) -> None:
    assert not verify(provider, signed(provider, ""), secrets)
    assert not verify(provider, signed(provider, NEW), secrets)


MALFORMED = [
    "",
    "sha256=",
    "sha256=xyz",
    "sha1=" + hex_digest(NEW),
    "sha256=" + hex_digest(NEW)[:-1],
    "sha256=" + hex_digest(NEW) + "00",
    "sha256=" + "é" * 64,
    "sha256=\udcff" + hex_digest(NEW)[1:],
]


@pytest.mark.parametrize("provider", sorted(set(NAMES) - {"gitlab", "gitea"}))
@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_sha256_header_is_refused_without_an_error(provider: str, value: str) -> None:
    header = PROVIDERS[provider].signature_header
    assert not verify(provider, CIMultiDict({header: value}), [NEW])


@pytest.mark.parametrize(
    "value", ["", "sha256=" + hex_digest(NEW), hex_digest(NEW)[:-1], "\udcff" * 64]
)
def test_a_malformed_gitea_signature_is_refused(value: str) -> None:
    assert not verify("gitea", CIMultiDict({"X-Gitea-Signature": value}), [NEW])


@pytest.mark.parametrize("value", ["", NEW + " x", NEW[:-1], "\udcff", "é"])
def test_a_wrong_gitlab_token_is_refused_without_an_error(value: str) -> None:
    assert not verify("gitlab", CIMultiDict({"X-Gitlab-Token": value}), [NEW, "é-secret"])


def test_hex_digits_may_come_in_upper_case() -> None:
    assert verify_hmac_sha256("sha256=" + hex_digest(NEW).upper(), BODY, [NEW])


def test_the_primitives_agree_with_the_standard_library() -> None:
    assert hmac_sha256(NEW, BODY) == hex_digest(NEW)
    assert verify_hmac_sha256(hex_digest(NEW), BODY, [NEW], prefix="")
    assert not verify_hmac_sha256(None, BODY, [NEW])
    assert verify_token("é-secret", ["x", "é-secret"])
    assert not verify_token(None, [NEW])
