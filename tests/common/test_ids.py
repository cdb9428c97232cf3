import re
import uuid

import pytest

from aftomato.common.ids import derived_build_id, new_event_id, uuid5_hex


def test_a_redelivered_request_names_the_same_build() -> None:
    first = derived_build_id("github", "delivery-1", "owner/repo", "main")
    assert first == derived_build_id("github", "delivery-1", "owner/repo", "main")
    assert re.fullmatch(r"[0-9a-f]{32}", first)


def test_any_difference_names_another_build() -> None:
    base = ("github", "delivery-1", "owner/repo", "main")
    ids = {derived_build_id(*base)}
    for index in range(4):
        changed = list(base)
        changed[index] += "x"
        ids.add(derived_build_id(*changed))
    assert len(ids) == 5
    # Fields are separated, so shifting characters between them changes the id too.
    assert derived_build_id("a", "bc", "p", "b") != derived_build_id("ab", "c", "p", "b")


def test_a_tag_and_a_branch_of_the_same_name_are_different_builds() -> None:
    branch = derived_build_id("bitbucket-server", "d", "P/r", "v1")
    assert branch != derived_build_id("bitbucket-server", "d", "P/r", "v1", tag=True)


def test_event_ids_are_unique() -> None:
    assert len({new_event_id() for _ in range(1000)}) == 1000


def test_build_ids_stay_what_they_were() -> None:
    # Derived ids must never change: a delivery repeated across an upgrade is still one build.
    assert derived_build_id("github", "delivery-1", "owner/repo", "main") == (
        "65eed09df8295107a767321308bac31b"
    )
    tag = derived_build_id("bitbucket-server", "d", "P/r", "v1", tag=True)
    assert tag == "8def6470543f5c80a552cb40934a1474"
    assert derived_build_id("gitlab", "é", "grüppe/ü", "ß") == "570cc5946270545487c1333d10550967"


@pytest.mark.parametrize("name", ["", "github\x1fdelivery-1", "é/ü\x1f" * 40])
def test_uuid5_hex_is_uuid5(name: str) -> None:
    namespace = uuid.uuid4()
    assert uuid5_hex(namespace.bytes, name) == uuid.uuid5(namespace, name).hex


def test_uuid5_hex_is_uuid5_whatever_digits_the_hash_has() -> None:
    namespace = uuid.uuid4()
    for number in range(500):  # every value of the version and variant digits, many times
        name = f"delivery-{number}"
        assert uuid5_hex(namespace.bytes, name) == uuid.uuid5(namespace, name).hex
