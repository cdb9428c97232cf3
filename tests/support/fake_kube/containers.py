"""A container spec as a local process: its command, environment and folders (pure functions).

The node (``node.py``) runs containers on this machine, not in images: a container's programs
are the host's, except those its ``LocalImage`` names (``python3`` becomes this virtualenv's
Python, say). Each ``emptyDir`` volume is a folder of the pod's own; a mount path that appears in
an argument or an environment value (``/scripts``, ``/workspace/x``) is rewritten to that folder.
Secrets come from the node's ``secrets``, as the API server would hand them to a kubelet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fake_kube.errors import Obj

Secrets = Mapping[str, Mapping[str, str]]
"""Secret name -> its keys and values."""


@dataclass(frozen=True)
class LocalImage:
    """What every image means on this machine."""

    programs: Mapping[str, str] = field(default_factory=dict)
    """A container's ``command[0]`` -> the program that runs instead (``python3`` -> a path)."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Variables the image sets (``PATH``, ``PYTHONPATH``); the container's ``env`` wins."""


class ConfigError(Exception):
    """The container cannot be started as specified (kubelet's ``CreateContainerConfigError``)."""


@dataclass(frozen=True)
class LocalContainer:
    name: str
    command: list[str]
    environment: dict[str, str]
    working_dir: Path


def volume_folders(pod: Obj, root: Path) -> dict[str, Path]:
    """Volume name -> the folder that holds it, for every ``emptyDir`` volume of the pod."""
    volumes = pod["spec"].get("volumes") or []
    return {v["name"]: root / "volumes" / v["name"] for v in volumes if "emptyDir" in v}


def mounts(container: Obj, volumes: Mapping[str, Path]) -> dict[str, Path]:
    """Mount path -> local folder, for the container's volume mounts."""
    found: dict[str, Path] = {}
    for mount in container.get("volumeMounts") or []:
        if mount["name"] not in volumes:
            raise ConfigError(f"volume {mount['name']!r} is not an emptyDir of this pod")
        found[mount["mountPath"].rstrip("/") or "/"] = volumes[mount["name"]]
    return found


def rewrite(value: str, mounted: Mapping[str, Path]) -> str:
    """``value`` with a leading mount path replaced by its local folder."""
    for path, folder in mounted.items():
        if value == path:
            return str(folder)
        if value.startswith(path + "/"):
            return str(folder / value[len(path) + 1 :])
    return value


def local_container(
    pod: Obj, container: Obj, root: Path, image: LocalImage, secrets: Secrets
) -> LocalContainer:
    """How to run ``container`` of ``pod`` here; ``ConfigError`` when it cannot be."""
    mounted = mounts(container, volume_folders(pod, root))
    command = [*(container.get("command") or []), *(container.get("args") or [])]
    if not command:
        raise ConfigError(f"container {container['name']!r} has no command (no image default)")
    command = [image.programs.get(command[0], command[0])] + [
        rewrite(a, mounted) for a in command[1:]
    ]
    environment = {"HOSTNAME": pod["metadata"]["name"], "HOME": str(root / "home")}
    environment |= image.environment
    environment |= _from_secrets(container, secrets)
    for variable in container.get("env") or []:
        value = _value(variable, secrets)
        if value is not None:
            environment[variable["name"]] = rewrite(value, mounted)
    working_dir = (
        Path(rewrite(container["workingDir"], mounted)) if "workingDir" in container else root
    )
    return LocalContainer(container["name"], command, environment, working_dir)


def _value(variable: Obj, secrets: Secrets) -> str | None:
    if "value" in variable:
        return str(variable["value"])
    ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
    if ref is None:
        raise ConfigError(f"{variable['name']}: only value and secretKeyRef are supported here")
    value = secrets.get(ref["name"], {}).get(ref["key"])
    if value is None and not ref.get("optional", False):
        raise ConfigError(f'secret "{ref["name"]}" (key {ref["key"]!r}) not found')
    return value


def _from_secrets(container: Obj, secrets: Secrets) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = source.get("secretRef")
        if ref is None:
            raise ConfigError("envFrom: only secretRef is supported here")
        if ref["name"] in secrets:
            found |= secrets[ref["name"]]
        elif not ref.get("optional", False):
            raise ConfigError(f'secret "{ref["name"]}" not found')
    return found
