import pytest

from aftomato.common.names import check_branch, check_parameter_name, check_project_key


@pytest.mark.parametrize("key", ["owner/repo", "group/sub/group/project", "PROJ/slug", "a"])
def test_project_keys_that_are_kept(key: str) -> None:
    assert check_project_key(key) == key


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "empty"),
        ("../etc", "'..'"),
        ("a/../b", "'..'"),
        ("/abs", "starts or ends"),
        ("a//b", "empty"),
        ("-rf", "starts with '-'"),
        ("a/-b", "segment starting"),
        ("a\nb", "control"),
        ("x" * 256, "longer than 255"),
    ],
)
def test_unsafe_project_keys_are_refused_with_the_reason(key: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_project_key(key)


@pytest.mark.parametrize("branch", ["main", "Feature/ABC-1", "release/1.2", "$(touch x)", "a`b`"])
def test_branches_are_kept_exactly(branch: str) -> None:
    assert check_branch(branch) == branch


@pytest.mark.parametrize("branch", ["", "a..b", "-x", "a\x00b", "/x", "é" * 200])
def test_unsafe_branches_are_refused(branch: str) -> None:
    with pytest.raises(ValueError, match="branch"):
        check_branch(branch)


def test_parameter_names_must_be_environment_names_and_not_reserved() -> None:
    assert check_parameter_name("DEPLOY_ENV") == "DEPLOY_ENV"
    for bad in ("1X", "A-B", "BUILD_ID", "AFTOMATO_TOKEN", ""):
        with pytest.raises(ValueError, match="parameter name"):
            check_parameter_name(bad)
