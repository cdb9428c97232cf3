from pathlib import Path

import pytest

from aftomato.common.scripts.catalog import (
    CatalogNotRead,
    Project,
    ScriptsReader,
    read_catalog,
)
from aftomato.common.scripts.config import Concurrency, ProjectConfig
from aftomato.common.scripts.discovery import Skipped
from aftomato.common.scripts.repository import ScriptsRepository, ScriptsRepositoryError
from tests.common.scripts.gitrepo import ScriptsGit, write

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "build-scripts"


def test_projects_with_their_configs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "plain/build.sh": "",
            "group/sub/app/build.sh": "",
            "group/sub/app/aftomato.yaml": "concurrency: supersede\n",
            "broken/build.sh": "",
            "broken/aftomato.yaml": "concurrency: parallel\n",
            "-bad/build.sh": "",
        },
    )

    catalog = read_catalog(tmp_path, "abc123")

    assert catalog.commit == "abc123"
    assert list(catalog.projects) == ["broken", "group/sub/app", "plain"]
    assert catalog.lookup("plain") == Project("plain", tmp_path / "plain/build.sh", ProjectConfig())
    app = catalog.lookup("group/sub/app")
    assert app is not None
    assert app.config is not None
    assert app.config.concurrency is Concurrency.SUPERSEDE
    broken = catalog.lookup("broken")
    assert broken is not None
    assert broken.config is None
    assert broken.config_error is not None
    assert broken.config_error.startswith("aftomato.yaml: concurrency: Input should be 'queue'")
    assert catalog.lookup("nobody") is None
    assert catalog.skipped == (Skipped("-bad", "project key starts with '-'"),)


def test_configs_that_cannot_be_read(tmp_path: Path) -> None:
    write(tmp_path / "root", {"big/build.sh": "", "big/aftomato.yaml": "#" * 70_000})
    write(tmp_path / "root", {"escape/build.sh": "", "folder/build.sh": ""})
    write(tmp_path, {"secret.yaml": "image: x\n"})
    (tmp_path / "root/escape/aftomato.yaml").symlink_to(tmp_path / "secret.yaml")
    (tmp_path / "root/folder/aftomato.yaml").mkdir()

    catalog = read_catalog(tmp_path / "root")

    errors = {key: project.config_error for key, project in catalog.projects.items()}
    assert errors["big"] == "aftomato.yaml: larger than 65536 bytes"
    assert errors["escape"] == "aftomato.yaml: leads outside the build scripts folder"
    assert (errors["folder"] or "").startswith("aftomato.yaml: cannot be read: ")


def test_the_examples_read_cleanly() -> None:
    catalog = read_catalog(EXAMPLES)

    assert catalog.skipped == ()
    assert {key: p.config_error for key, p in catalog.projects.items() if p.config_error} == {}
    sidecar = catalog.lookup("examples/with-sidecar")
    assert sidecar is not None
    assert sidecar.config is not None
    assert [s.name for s in sidecar.config.sidecars] == ["redis"]


async def test_the_reader_follows_the_repository(tmp_path: Path) -> None:
    origin = ScriptsGit(tmp_path / "origin")
    first = origin.commit({"a/build.sh": ""})
    reader = ScriptsReader(ScriptsRepository(str(origin.root), "main", tmp_path / "cache"))
    with pytest.raises(CatalogNotRead):
        _ = reader.catalog

    assert (await reader.refresh()).commit == first
    assert list(reader.catalog.projects) == ["a"]

    second = origin.commit({"b/c/build.sh": "", "b/c/aftomato.yaml": "tags: true\n"})
    await reader.refresh()

    assert reader.catalog.commit == second
    project = reader.catalog.lookup("b/c")
    assert project is not None
    assert project.config == ProjectConfig(tags=True)
    assert project.script_path.read_text() == ""


async def test_a_failed_refresh_keeps_the_last_catalog(tmp_path: Path) -> None:
    origin = ScriptsGit(tmp_path / "origin")
    origin.commit({"a/build.sh": ""})
    reader = ScriptsReader(ScriptsRepository(f"file://{origin.root}", "main", tmp_path / "cache"))
    before = await reader.refresh()
    origin.root.rename(tmp_path / "gone")

    with pytest.raises(ScriptsRepositoryError):
        await reader.refresh()
    assert reader.catalog is before


async def test_a_plain_folder_is_re_read_on_each_refresh(tmp_path: Path) -> None:
    write(tmp_path / "scripts", {"a/build.sh": ""})
    reader = ScriptsReader(ScriptsRepository(str(tmp_path / "scripts"), "main", tmp_path / "c"))
    assert list((await reader.refresh()).projects) == ["a"]

    write(tmp_path / "scripts", {"b/build.sh": ""})

    assert list((await reader.refresh()).projects) == ["a", "b"]
    assert reader.catalog.commit is None
