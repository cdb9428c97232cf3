"""``aftomato up``'s own settings, and the defaults it gives the services' settings.

Every service keeps reading its usual groups; ``up`` only changes a few defaults so that a
fresh clone runs with no configuration at all: the example build scripts, a loopback address,
and a data folder in the user's home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from aftomato.common.settings import SettingsGroup

DEFAULT_PORT = 8080
EXAMPLES = Path(__file__).resolve().parents[5] / "examples" / "build-scripts"
"""The repository's example build scripts (present in a clone, the normal way to run ``up``)."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "aftomato"


class UpSettings(SettingsGroup):
    title: ClassVar[str] = "aftomato up"

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        alias="AFTOMATO_DATA_DIR",
        description="aftomato up: folder of the SQLite records, logs and artifacts "
        "(default ~/.local/share/aftomato)",
    )


def up_environment(
    environ: Mapping[str, str], *, overrides: Mapping[str, str | None]
) -> dict[str, str]:
    """``environ`` with ``up``'s defaults where unset, and the command line's ``overrides``."""
    defaults = {
        "AFTOMATO_HTTP_HOST": "127.0.0.1",
        "AFTOMATO_HTTP_PORT": str(DEFAULT_PORT),
        "AFTOMATO_BUILD_SCRIPTS_REPO": str(EXAMPLES),
        "AFTOMATO_LOG_FORMAT": "console",
    }
    chosen = {**defaults, **environ}
    chosen.update({name: value for name, value in overrides.items() if value is not None})
    # Commit statuses and chat notices link to this server's own pages unless told otherwise.
    port = chosen["AFTOMATO_HTTP_PORT"]
    if "AFTOMATO_PUBLIC_URL" not in chosen and port.isdigit() and port != "0":
        chosen["AFTOMATO_PUBLIC_URL"] = f"http://{_link_host(chosen['AFTOMATO_HTTP_HOST'])}:{port}"
    return chosen


def _link_host(host: str) -> str:
    """A host a browser can reach: the wildcard address means this machine."""
    return "localhost" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104 (a comparison)
