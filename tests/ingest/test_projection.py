"""A projection holds what the standard parser reads at its paths, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftomato.ingest.bodies import decode_payload
from aftomato.ingest.errors import BadPayload
from aftomato.ingest.projection import projection

PATHS = ("ref", "after", "repository.full_name", "repository.owner.name", "pusher.name")
TREE: dict[str, Any] = {
    "ref": {},
    "after": {},
    "repository": {"full_name": {}, "owner": {"name": {}}},
    "pusher": {"name": {}},
}
PUSH = projection(PATHS)


def restricted(value: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    """``value`` with only ``tree``'s names, as the projection should read it."""
    kept: dict[str, Any] = {}
    for name, below in tree.items():
        if name in value:
            inner = value[name]
            kept[name] = restricted(inner, below) if below and isinstance(inner, dict) else inner
    return kept


def test_only_the_paths_are_kept_and_missing_ones_stay_missing() -> None:
    body = {
        "ref": "refs/heads/main",
        "size": 3,
        "repository": {"full_name": "a/b", "private": False, "owner": {"name": "x", "id": 1}},
        "commits": [{"id": "abc"}],
    }
    assert PUSH.decode(json.dumps(body)) == {
        "ref": "refs/heads/main",
        "repository": {"full_name": "a/b", "owner": {"name": "x"}},
    }


def test_a_null_object_on_a_path_is_read_as_null() -> None:
    assert PUSH.decode(b'{"repository": null, "pusher": {"name": null}}') == {
        "repository": None,
        "pusher": {"name": None},
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"ref": "a", "ref": "b"}',
        b'{"repository": {"full_name": "a/b"}, "repository": {"owner": {"name": "x"}}}',
        b'{"ref": 123456789012345678901234567890, "after": -9223372036854775809}',
        b'{"ref": {"any": ["json", 1.5, null]}, "after": -0.0}',
        b'{"ref": "\\ud83d\\ude00 \\u00e9", "x": "\\u0000"}',
    ],
)
def test_a_body_that_fits_reads_as_the_standard_parser_reads_it(body: bytes) -> None:
    assert PUSH.decode(body) == restricted(json.loads(body), TREE)


@pytest.mark.parametrize(
    "body",
    [
        b'{"repository": "a/b"}',  # not an object where a path goes on
        b'{"pusher": ["x"]}',
        b'{"ref": NaN}',
        b'{"ref": "\\ud800"}',  # a lone surrogate, which the standard parser keeps
        b'{"x": "\\ud800"}',  # even where nothing is read
        b'{"ref": 1e400}',  # infinity to the standard parser
        b'{"ref": "a"} trailing',
        b'{"ref": "a", "x": [1,]}',  # malformed where nothing is read
        b"[]",
        b"",
    ],
)
def test_a_body_that_does_not_fit_is_refused(body: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        PUSH.decode(body)


def test_a_path_into_a_list_is_refused_when_the_projection_is_made() -> None:
    with pytest.raises(ValueError, match=r"changes\.0\.ref"):
        projection(["changes.0.ref"])


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["ref", "name", "owner", "x"]), children, max_size=3)
    ),
    max_leaves=10,
)
NAMES = st.sampled_from([*TREE, "full_name", "owner", "name", "other"])
OBJECTS = st.recursive(
    st.dictionaries(NAMES, JSON_VALUES, max_size=4),
    lambda children: st.dictionaries(NAMES, children | JSON_VALUES, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(document=OBJECTS)
def test_any_object_reads_as_the_standard_parser_reads_it_or_does_not_fit(
    document: dict[str, Any],
) -> None:
    body = json.dumps(document).encode()
    try:
        projected = PUSH.decode(body)
    except msgspec.DecodeError:
        return  # the caller decodes it whole
    assert projected == restricted(json.loads(body), TREE)


BYTES = b' {}[]",:\\0123456789.eE+-tfnul\x00\x1f\x7f\xc3\xa9\xff\xed\xa0\x80'
"""JSON's syntax, control characters, and UTF-8 that is broken or encodes a surrogate."""
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace"]),
        st.floats(0, 1, exclude_max=True),
        st.sampled_from(list(BYTES)),
    ),
    min_size=1,
    max_size=3,
)
SAMPLE = json.dumps(
    {"ref": "refs/heads/é", "x": [1, 2.5e3, -0, "s\n", True, None, {"a": {}}]}
    | {"repository": {"full_name": "a/b", "owner": {"name": "n"}, "y": "ü"}, "z": "\u2603"},
    ensure_ascii=False,
).encode()


def mutated(mutations: list[tuple[str, float, int]]) -> bytes:
    body = bytearray(SAMPLE)
    for kind, where, byte in mutations:
        at = int(where * len(body))
        if kind == "insert":
            body[at:at] = bytes([byte])
        elif kind == "delete":
            del body[at]
        else:
            body[at] = byte
    return bytes(body)


@settings(max_examples=1000, deadline=None)
@given(mutations=MUTATIONS)
def test_a_broken_body_is_never_read_where_the_standard_parser_refuses_it(
    mutations: list[tuple[str, float, int]],
) -> None:
    body = mutated(mutations)
    try:
        whole = decode_payload("application/json", body, form_allowed=False)
    except BadPayload:
        with pytest.raises(BadPayload):
            decode_payload("application/json", body, form_allowed=False, projection=PUSH)
        return
    projected = decode_payload("application/json", body, form_allowed=False, projection=PUSH)
    # what fits is read at the paths; the rest is decoded whole (repr: NaN is not equal to NaN)
    fits = [repr(restricted(whole, TREE))] if isinstance(whole, dict) else []
    assert repr(projected) in [*fits, repr(whole)]
