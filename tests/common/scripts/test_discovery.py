from pathlib import Path

from aftomato.common.scripts.discovery import Skipped, discover
from tests.common.scripts.gitrepo import write

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "build-scripts"


def test_every_folder_holding_build_sh_is_a_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "owner/repo/build.sh": "",
            "group/sub/app/build.sh": "",
            "group/sub/app/aftomato.yaml": "",
            "group/build.sh": "",  # a project may hold others
            "single/build.sh": "",
            "docs/README.md": "",
            "owner/other/build.bash": "",
        },
    )

    found = discover(tmp_path)

    assert list(found.projects) == ["group", "group/sub/app", "owner/repo", "single"]
    assert found.projects["group/sub/app"] == tmp_path / "group/sub/app/build.sh"
    assert found.skipped == ()


def test_hidden_folders_are_not_searched(tmp_path: Path) -> None:
    write(tmp_path, {".git/hooks/build.sh": "", ".github/x/build.sh": "", "a/.b/build.sh": ""})

    assert discover(tmp_path).projects == {}


def test_invalid_keys_are_skipped_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path, {"build.sh": "", "-rf/build.sh": "", "ok/-x/build.sh": "", "ok/y/build.sh": ""})

    found = discover(tmp_path)

    assert list(found.projects) == ["ok/y"]
    assert found.skipped == (
        Skipped(".", "project key is empty"),
        Skipped("-rf", "project key starts with '-'"),
        Skipped("ok/-x", "project key has a segment starting with '-'"),
    )


def test_build_sh_must_be_a_file_inside_the_root(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"build.sh": "echo out\n"})
    write(tmp_path / "root", {"inside/build.sh": ""})
    (tmp_path / "root/escape").mkdir()
    (tmp_path / "root/escape/build.sh").symlink_to(tmp_path / "outside/build.sh")
    (tmp_path / "root/link").mkdir()
    (tmp_path / "root/link/build.sh").symlink_to(tmp_path / "root/inside/build.sh")
    (tmp_path / "root/dangling").mkdir()
    (tmp_path / "root/dangling/build.sh").symlink_to(tmp_path / "root/nothing")

    found = discover(tmp_path / "root")

    assert list(found.projects) == ["inside", "link"]
    assert {s.path: s.reason for s in found.skipped} == {
        "dangling": "build.sh is not a file",
        "escape": "build.sh leads outside the build scripts folder",
    }


def test_linked_folders_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere", {"p/build.sh": ""})
    (tmp_path / "root").mkdir()
    (tmp_path / "root/linked").symlink_to(tmp_path / "elsewhere")

    assert discover(tmp_path / "root").projects == {}


def test_the_examples(tmp_path: Path) -> None:
    found = discover(EXAMPLES)

    assert {"examples/hello-world", "examples/with-sidecar"} <= found.projects.keys()
    assert found.skipped == ()
