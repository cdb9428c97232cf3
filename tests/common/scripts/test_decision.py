import pytest

from aftomato.common.messages import BuildRequested, RefType, Source
from aftomato.common.scripts.config import ProjectConfig, parse_project_config
from aftomato.common.scripts.decision import Decision, decide


def request(branch: str = "main", **fields: object) -> BuildRequested:
    return BuildRequested.model_validate(
        {
            "build_id": "b1",
            "project_key": "owner/repo",
            "branch": branch,
            "source": Source.GITHUB,
            "delivery_id": "d1",
            **fields,
        }
    )


def test_by_default_every_branch_and_pull_request_builds_but_no_tag() -> None:
    config = ProjectConfig()

    assert decide(request("feature/x"), config) == Decision(True)
    assert decide(request("feature/x", pull_request=7), config).build
    assert decide(request("v1.0", ref_type=RefType.TAG), config) == Decision(
        False, "tags do not build for this project"
    )


@pytest.mark.parametrize(
    ("branch", "build"),
    [("main", True), ("release/1.2", True), ("xmain", False), ("main2", False),
     ("release", False), ("feature/release/1", False)],
)  # fmt: skip
def test_the_whole_branch_must_match(branch: str, build: bool) -> None:
    config = parse_project_config("branches: main|release/.+")

    assert decide(request(branch), config).build is build


def test_an_unmanaged_branch_says_why() -> None:
    config = parse_project_config("branches: main")

    assert decide(request("dev/$(x)"), config) == Decision(
        False, "branch 'dev/$(x)' is not managed (branches: main)"
    )


def test_tags_build_when_allowed_whatever_the_branches() -> None:
    config = parse_project_config("branches: main\ntags: true")

    assert decide(request("v2.0", ref_type=RefType.TAG), config).build


def test_pull_requests_have_their_own_switch() -> None:
    only_main = parse_project_config("branches: main")
    no_prs = parse_project_config("pull_requests: false")

    assert decide(request("feature", pull_request=3), only_main).build
    assert decide(request("main", pull_request=3), no_prs) == Decision(
        False, "pull requests do not build for this project"
    )
    assert decide(request("main"), no_prs).build
