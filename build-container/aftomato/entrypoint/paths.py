"""Where things are on disk: the project's build script, found safely, and the build's folders.

A project key names a folder inside the build scripts (``owner/repo``, ``group/sub/repo``). It is
data from a webhook, so it is checked before it touches the file system: absolute keys and ``..``
are refused outright, and the resolved script (symbolic links followed) must still lie inside the
build scripts folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aftomato.entrypoint.exitcodes import EntrypointError, ExitCode

BUILD_SCRIPT = "build.sh"


class ProjectRefused(EntrypointError):
    """The project key escapes the build scripts folder, or the project has no build script."""

    exit_code = ExitCode.PROJECT_REFUSED


class FolderRefused(EntrypointError):
    """The build scripts folder, the workspace or the artifacts folder cannot be used."""

    exit_code = ExitCode.BAD_ENVIRONMENT


def find_build_script(scripts_dir: Path, project_key: str) -> Path:
    """``<scripts_dir>/<project_key>/build.sh``, or :class:`ProjectRefused` saying why not.

    The path returned keeps the project's own folder (not a symbolic link's target), so that a
    script finds its neighbours with ``dirname "$0"``.
    """
    root = _scripts_root(scripts_dir)
    script = root.joinpath(*_checked_key(project_key).parts, BUILD_SCRIPT)
    try:
        target = script.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symbolic link loop
        raise ProjectRefused(f"project key {project_key!r}: {error}") from error
    if not target.is_relative_to(root):
        raise ProjectRefused(
            f"project key {project_key!r} refused: a symbolic link leads outside the build"
            " scripts folder"
        )
    if not target.is_file():
        raise ProjectRefused(f"project {project_key!r} has no {BUILD_SCRIPT} (looked for {script})")
    return script


def _scripts_root(scripts_dir: Path) -> Path:
    root = scripts_dir.resolve()
    if not root.is_dir():
        raise FolderRefused(
            f"the build scripts folder {scripts_dir} does not exist (AFTOMATO_BUILD_SCRIPTS_DIR)"
        )
    return root


def _checked_key(project_key: str) -> PurePosixPath:
    key = PurePosixPath(project_key)
    if key.is_absolute():
        raise ProjectRefused(f"project key {project_key!r} refused: it is an absolute path")
    if ".." in key.parts:
        raise ProjectRefused(f"project key {project_key!r} refused: it climbs out with '..'")
    if not key.parts:
        raise ProjectRefused(f"project key {project_key!r} refused: it names no folder")
    return key


@dataclass(frozen=True)
class Folders:
    """The build's folders, absolute and resolved, both existing and empty."""

    workspace: Path
    artifacts: Path


def prepare_folders(workspace: Path, artifacts: Path) -> Folders:
    """Create the workspace and the artifacts folder where absent; refuse them when not empty.

    Neither may lie inside the other: a script that clones into its workspace needs it empty,
    and a workspace inside the artifacts folder would be uploaded whole.
    """
    folders = Folders(workspace.resolve(), artifacts.resolve())
    if folders.artifacts.is_relative_to(folders.workspace) or folders.workspace.is_relative_to(
        folders.artifacts
    ):
        raise FolderRefused(
            f"the artifacts folder {folders.artifacts} and the workspace {folders.workspace}"
            " must not lie inside one another (ARTIFACTS_DIR, AFTOMATO_WORKSPACE)"
        )
    _empty_folder(folders.workspace, "AFTOMATO_WORKSPACE")
    _empty_folder(folders.artifacts, "ARTIFACTS_DIR")
    return folders


def _empty_folder(path: Path, variable: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        empty = next(path.iterdir(), None) is None
    except OSError as error:
        raise FolderRefused(f"cannot use {path} ({variable}): {error.strerror}") from error
    if not empty:
        raise FolderRefused(f"{path} ({variable}) is not empty")
