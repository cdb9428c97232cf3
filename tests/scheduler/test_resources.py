import pytest

from aftomato.common.scripts.config import Resources
from aftomato.scheduler.resources import build_resources

DEFAULTS = {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}}


def resources(data: dict[str, dict[str, str]]) -> Resources:
    return Resources.model_validate(data)


def test_nothing_set_keeps_the_defaults() -> None:
    assert build_resources(Resources(), DEFAULTS) == DEFAULTS


def test_each_quantity_replaces_its_default() -> None:
    project = resources({"requests": {"cpu": "2"}, "limits": {"cpu": "3"}})

    assert build_resources(project, DEFAULTS) == {
        "requests": {"cpu": "2", "memory": "512Mi"},
        "limits": {"memory": "2Gi", "cpu": "3"},
    }


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ({"requests": {"memory": "4Gi"}},
         {"requests": {"cpu": "500m", "memory": "4Gi"}, "limits": {"memory": "4Gi"}}),
        ({"limits": {"memory": "256Mi"}},
         {"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"memory": "256Mi"}}),
        ({"requests": {"memory": "1G"}, "limits": {"memory": "1G"}},
         {"requests": {"cpu": "500m", "memory": "1G"}, "limits": {"memory": "1G"}}),
    ],
)  # fmt: skip
def test_a_request_never_exceeds_its_limit(
    project: dict[str, dict[str, str]], expected: dict[str, dict[str, str]]
) -> None:
    assert build_resources(resources(project), DEFAULTS) == expected


def test_no_limits_at_all() -> None:
    assert build_resources(Resources(), {"requests": {"cpu": "1"}}) == {"requests": {"cpu": "1"}}
