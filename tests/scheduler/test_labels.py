import re

import pytest

from aftomato.scheduler.labels import label_value

VALID = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("main", "main"),
        ("feature/Login", "feature-Login"),
        ("group/sub/app", "group-sub-app"),
        ("release-1.2_rc", "release-1.2_rc"),
        ("-leading--dashes-", "leading--dashes"),
        ("..dots..", "dots"),
        ("_x_", "x"),
        ("café/über", "cafe-uber"),
        ("$(rm -rf /)", "rm--rf"),
        ("a b\tc", "a-b-c"),
        ("", ""),
        ("a" * 63, "a" * 63),
    ],
)
def test_label_values(text: str, value: str) -> None:
    assert label_value(text) == value


@pytest.mark.parametrize(
    "text",
    ["a" * 64, "feature/" + "x" * 200, "x" * 54 + "-" * 9 + "y", "日本語", "/", "🚀🚀", "-" * 70,
     "a" * 54 + "." + "b" * 20],
)  # fmt: skip
def test_long_or_empty_values_end_in_a_hash_and_stay_valid(text: str) -> None:
    value = label_value(text)

    assert VALID.match(value), value
    assert 0 < len(value) <= 63
    assert re.search(r"[0-9a-f]{8}$", value)


def test_values_cut_to_the_same_start_stay_distinct() -> None:
    assert label_value("a" * 70 + "1") != label_value("a" * 70 + "2")
    assert label_value("日本") != label_value("中文")
