from pathlib import Path

import pytest

from aftomato.entrypoint.paths import (
    FolderRefused,
    ProjectRefused,
    find_build_script,
    prepare_folders,
)
from tests.entrypoint.sandbox import Sandbox

HOSTILE_SCRIPT = 'touch "$(dirname "$0")/pwned"\necho \'hostile script ran\'\n'


def test_a_project_key_with_several_slashes_names_nested_folders(sandbox: Sandbox) -> None:
    script = sandbox.write_script("group/sub/repo", "echo hi\n")
    assert find_build_script(sandbox.scripts, "group/sub/repo") == script


def test_a_link_inside_the_scripts_folder_is_followed_and_the_path_kept(sandbox: Sandbox) -> None:
    shared = sandbox.write_script("shared", "echo shared\n")
    (sandbox.scripts / "owner" / "repo").mkdir(parents=True)
    (sandbox.scripts / "owner" / "repo" / "build.sh").symlink_to(shared)
    found = find_build_script(sandbox.scripts, "owner/repo")
    assert found == sandbox.scripts.resolve() / "owner" / "repo" / "build.sh"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("../../etc", "climbs out with '..'"),
        ("owner/../../outside", "climbs out with '..'"),
        ("/etc", "absolute path"),
        (".", "names no folder"),
    ],
)
def test_keys_that_leave_the_scripts_folder_are_refused(
    sandbox: Sandbox, key: str, reason: str
) -> None:
    with pytest.raises(ProjectRefused, match=reason) as raised:
        find_build_script(sandbox.scripts, key)
    assert raised.value.exit_code == 120


def test_a_symbolic_link_out_of_the_scripts_folder_is_refused(sandbox: Sandbox) -> None:
    outside = sandbox.root / "outside"
    outside.mkdir()
    (outside / "build.sh").write_text(HOSTILE_SCRIPT)
    (sandbox.scripts / "owner").mkdir()
    (sandbox.scripts / "owner" / "repo").symlink_to(outside)
    with pytest.raises(ProjectRefused, match="symbolic link leads outside"):
        find_build_script(sandbox.scripts, "owner/repo")


def test_a_project_without_build_script_is_refused(sandbox: Sandbox) -> None:
    (sandbox.scripts / "owner" / "repo").mkdir(parents=True)
    with pytest.raises(ProjectRefused, match=r"'owner/repo' has no build.sh"):
        find_build_script(sandbox.scripts, "owner/repo")


def test_a_missing_scripts_folder_is_an_environment_problem(tmp_path: Path) -> None:
    with pytest.raises(FolderRefused, match="AFTOMATO_BUILD_SCRIPTS_DIR") as raised:
        find_build_script(tmp_path / "nowhere", "owner/repo")
    assert raised.value.exit_code == 123


def test_folders_are_created_and_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folders = prepare_folders(Path("b/workspace"), Path("b/artifacts"))
    assert folders.workspace == tmp_path.resolve() / "b" / "workspace"
    assert folders.artifacts == tmp_path.resolve() / "b" / "artifacts"
    assert folders.workspace.is_dir()
    assert folders.artifacts.is_dir()


@pytest.mark.parametrize("which", ["workspace", "artifacts"])
def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path, which: str) -> None:
    (tmp_path / which).mkdir()
    (tmp_path / which / "left-over").write_text("from an earlier build")
    with pytest.raises(FolderRefused, match=f"{which} .* is not empty"):
        prepare_folders(tmp_path / "workspace", tmp_path / "artifacts")


@pytest.mark.parametrize(
    ("workspace", "artifacts"), [("ws", "ws/artifacts"), ("out/ws", "out"), ("same", "same")]
)
def test_folders_inside_one_another_are_refused(
    tmp_path: Path, workspace: str, artifacts: str
) -> None:
    with pytest.raises(FolderRefused, match="must not lie inside one another"):
        prepare_folders(tmp_path / workspace, tmp_path / artifacts)
    assert not (tmp_path / workspace).exists()


# ---------------------------------------------------------------- through the entrypoint


@pytest.mark.parametrize("key", ["../../etc", "/etc", "../outside", "owner/repo"])
def test_a_hostile_project_key_is_refused_and_nothing_runs(sandbox: Sandbox, key: str) -> None:
    outside = sandbox.root / "outside"
    outside.mkdir()
    (outside / "build.sh").write_text(HOSTILE_SCRIPT)
    (sandbox.scripts / "owner").mkdir()
    (sandbox.scripts / "owner" / "repo").symlink_to(outside)

    finished = sandbox.run(PROJECT_KEY=key)

    assert finished.exit_code == 120, finished.text
    assert f"project key {key!r} refused" in finished.text
    assert "hostile script ran" not in finished.text
    assert not list(sandbox.root.rglob("pwned"))
    assert not sandbox.workspace.exists()  # refused before anything was prepared


def test_a_project_without_build_script_exits_with_the_refusal_code(sandbox: Sandbox) -> None:
    finished = sandbox.run(PROJECT_KEY="nobody/here")
    assert finished.exit_code == 120
    assert "project 'nobody/here' has no build.sh" in finished.text
