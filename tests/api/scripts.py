"""A build-scripts folder for api tests: two projects, one with a config, one with a bad one."""

from __future__ import annotations

from pathlib import Path

from aftomato.common.scripts.catalog import ScriptsReader
from aftomato.common.scripts.repository import ScriptsRepository

PROJECTS = {
    "team/app/build.sh": "#!/bin/sh\necho building\n",
    "team/app/aftomato.yaml": "timeout: 600\nconcurrency: supersede\n",
    "team/lib/build.sh": "#!/bin/sh\necho lib\n",
    "broken/build.sh": "#!/bin/sh\n",
    "broken/aftomato.yaml": "concurrency: sometimes\n",
}


async def scripts_reader(root: Path) -> ScriptsReader:
    folder = root / "scripts"
    for name, text in PROJECTS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    reader = ScriptsReader(ScriptsRepository(str(folder), "main", root / "cache"))
    await reader.refresh()
    return reader
