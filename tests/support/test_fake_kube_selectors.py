"""Label and field selectors of the fake (pure: no server)."""

from __future__ import annotations

import pytest

from tests.support.fake_kube.samples import pod
from tests.support.fake_kube.selectors import (
    PodFilter,
    parse_field_selector,
    parse_label_selector,
)

LABELS = {"app": "web", "tier": "1", "aftomato.io/build-id": "b-42"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=db", False),
        ("app!=db", True),
        ("missing!=x", True),
        ("app in (db, web)", True),
        ("app in (db)", False),
        ("app notin (db,api)", True),
        ("app notin (web)", False),
        ("missing notin (x)", True),
        ("missing in (x)", False),
        ("app", True),
        ("missing", False),
        ("!missing", True),
        ("!app", False),
        ("tier>0", True),
        ("tier<1", False),
        ("aftomato.io/build-id=b-42", True),
        ("app=web,tier in (1,2),!missing", True),
        ("app=web,tier=2", False),
        (" app = web , tier ", True),
        ("missing=", False),
    ],
)
def test_label_selectors_match_like_kubernetes(selector: str, expected: bool) -> None:
    assert parse_label_selector(selector).matches(LABELS) is expected


def test_an_empty_value_matches_an_empty_label() -> None:
    assert parse_label_selector("flag=").matches({"flag": ""})


@pytest.mark.parametrize(
    "selector",
    [
        "app in x",
        "app in ()",
        "app=a b",
        "app=feature/x",
        "=x",
        "app,",
        "-app=x",
        "app=" + "x" * 64,
    ],
)
def test_malformed_label_selectors_are_refused(selector: str) -> None:
    with pytest.raises(ValueError, match="unable to parse requirement"):
        parse_label_selector(selector)


def test_field_selectors_match_pod_fields() -> None:
    manifest = pod("a")
    manifest["metadata"]["namespace"] = "ns"
    manifest["status"] = {"phase": "Running"}

    assert parse_field_selector("metadata.name=a,status.phase==Running").matches(manifest)
    assert parse_field_selector("metadata.namespace=ns,status.phase!=Pending").matches(manifest)
    assert not parse_field_selector("metadata.name!=a").matches(manifest)
    assert parse_field_selector("spec.nodeName=").matches(manifest)


@pytest.mark.parametrize(
    ("selector", "error"),
    [("spec.image=x", "field label not supported"), ("metadata.name", "invalid selector")],
)
def test_malformed_field_selectors_are_refused(selector: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_field_selector(selector)


def test_a_pod_filter_needs_namespace_labels_and_fields() -> None:
    manifest = pod("a", {"app": "web"})
    manifest["metadata"]["namespace"] = "ns"
    labels = parse_label_selector("app=web")
    fields = parse_field_selector("metadata.name=a")

    assert PodFilter("ns", labels, fields).matches(manifest)
    assert PodFilter(None, labels, fields).matches(manifest)
    assert not PodFilter("other", labels, fields).matches(manifest)
    assert not PodFilter("ns", parse_label_selector("app=db"), fields).matches(manifest)
