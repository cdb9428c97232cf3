"""The build-scripts reader against real git: clone, refresh, plain folders, failures."""

import asyncio
from pathlib import Path

import pytest

from aftomato.common.scripts.repository import ScriptsRepository, ScriptsRepositoryError
from tests.common.scripts.gitrepo import ScriptsGit, git, write

HELLO = {"examples/hello/build.sh": "echo hello\n"}
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "build-scripts"


@pytest.fixture
def origin(tmp_path: Path) -> ScriptsGit:
    repository = ScriptsGit(tmp_path / "origin")
    repository.commit(HELLO, "first")
    return repository


def reader(source: Path | str, cache: Path, branch: str = "main") -> ScriptsRepository:
    return ScriptsRepository(str(source), branch, cache, timeout=30)


async def test_a_local_git_repository_is_cloned_shallow(origin: ScriptsGit, tmp_path: Path) -> None:
    origin.commit({"other/build.sh": "true\n"}, "second")
    repository = reader(origin.root, tmp_path / "cache")

    commit = await repository.refresh()

    assert commit == git(origin.root, "rev-parse", "HEAD")
    assert not repository.in_place
    assert repository.path.is_relative_to(tmp_path / "cache")
    assert (repository.path / "examples/hello/build.sh").read_text() == "echo hello\n"
    assert git(repository.path, "rev-list", "--count", "HEAD") == "1"  # shallow


async def test_refresh_brings_new_commits_and_removals(origin: ScriptsGit, tmp_path: Path) -> None:
    repository = reader(origin.root, tmp_path / "cache")
    await repository.refresh()
    write(repository.path, {"stray/build.sh": "left by someone\n"})

    origin.commit({"group/sub/app/build.sh": "make\n"}, "add app")
    newest = origin.remove("examples")

    assert await repository.refresh() == newest
    assert (repository.path / "group/sub/app/build.sh").is_file()
    assert not (repository.path / "examples").exists()
    assert not (repository.path / "stray").exists()


async def test_a_restart_reuses_the_working_copy(origin: ScriptsGit, tmp_path: Path) -> None:
    first = reader(origin.root, tmp_path / "cache")
    await first.refresh()
    newest = origin.commit({"b/build.sh": "true\n"})

    again = reader(origin.root, tmp_path / "cache")

    assert again.path == first.path
    assert await again.refresh() == newest


async def test_a_broken_working_copy_is_cloned_afresh(origin: ScriptsGit, tmp_path: Path) -> None:
    repository = reader(origin.root, tmp_path / "cache")
    await repository.refresh()
    (repository.path / ".git" / "index.lock").write_text("")  # as a killed git leaves it
    (repository.path / ".git" / "shallow.lock").write_text("")

    newest = origin.commit({"b/build.sh": "true\n"})

    assert await repository.refresh() == newest
    assert (repository.path / "b/build.sh").is_file()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [repository.path.name]


async def test_another_branch(origin: ScriptsGit, tmp_path: Path) -> None:
    git(origin.root, "switch", "--quiet", "--create", "release/1.x")
    commit = origin.commit({"rel/build.sh": "true\n"})
    git(origin.root, "switch", "--quiet", "main")

    repository = reader(origin.root, tmp_path / "cache", branch="release/1.x")

    assert await repository.refresh() == commit
    assert (repository.path / "rel/build.sh").is_file()


async def test_a_plain_folder_is_read_in_place(tmp_path: Path) -> None:
    write(tmp_path / "scripts", HELLO)
    repository = reader(tmp_path / "scripts", tmp_path / "cache")

    assert await repository.refresh() is None
    assert repository.in_place
    assert repository.path == (tmp_path / "scripts").resolve()
    assert not (tmp_path / "cache").exists()


async def test_the_examples_folder_inside_this_repository_is_read_in_place(
    tmp_path: Path,
) -> None:
    repository = reader(EXAMPLES, tmp_path / "cache")

    assert await repository.refresh() is None
    assert repository.path == EXAMPLES


async def test_a_bad_url_fails_with_gits_stderr(tmp_path: Path) -> None:
    repository = reader(f"file://{tmp_path}/nowhere", tmp_path / "cache")

    with pytest.raises(ScriptsRepositoryError, match=r"git clone failed \(exit 128\).*nowhere"):
        await repository.refresh()
    assert list((tmp_path / "cache").iterdir()) == []  # no partial clone left


async def test_a_missing_branch_fails_and_names_it(origin: ScriptsGit, tmp_path: Path) -> None:
    repository = reader(origin.root, tmp_path / "cache", branch="nope")

    with pytest.raises(
        ScriptsRepositoryError, match=r"(?s)branch nope.*Remote branch nope not found"
    ):
        await repository.refresh()


async def test_a_missing_local_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScriptsRepositoryError, match="does not exist"):
        await reader(tmp_path / "missing", tmp_path / "cache").refresh()


async def test_a_failed_fetch_keeps_the_old_working_copy(
    origin: ScriptsGit, tmp_path: Path
) -> None:
    repository = reader(origin.root, tmp_path / "cache")
    first = await repository.refresh()
    origin.root.rename(tmp_path / "moved")

    with pytest.raises(ScriptsRepositoryError, match="does not exist"):
        await repository.refresh()
    assert git(repository.path, "rev-parse", "HEAD") == first
    assert (repository.path / "examples/hello/build.sh").is_file()


async def test_passwords_in_urls_never_reach_the_message(tmp_path: Path) -> None:
    url = "http://robot:s3cr3t-token@127.0.0.1:9/scripts.git"
    with pytest.raises(ScriptsRepositoryError) as caught:
        await reader(url, tmp_path / "cache").refresh()
    assert "s3cr3t-token" not in str(caught.value)
    assert "robot:***@127.0.0.1" in str(caught.value)


async def test_git_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanging = tmp_path / "bin"
    write(hanging, {"git": "#!/bin/sh\nexec sleep 30\n"})
    (hanging / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{hanging}:/usr/bin:/bin")
    repository = ScriptsRepository("https://example.invalid/s.git", "main", tmp_path, timeout=0.2)

    with pytest.raises(ScriptsRepositoryError, match=r"git clone took longer than 0.2 s"):
        await repository.refresh()


async def test_refreshes_run_one_at_a_time(origin: ScriptsGit, tmp_path: Path) -> None:
    first = reader(origin.root, tmp_path / "cache")
    second = reader(origin.root, tmp_path / "cache")  # same working copy, same lock

    commits = await asyncio.gather(*(r.refresh() for r in (first, second, first, second)))

    assert set(commits) == {git(origin.root, "rev-parse", "HEAD")}
