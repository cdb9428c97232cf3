"""Running a server under callgrind and reading what it counted, by shared object.

A server waits in ``epoll_wait`` between requests, and valgrind takes ``callgrind_control``'s
commands only while the program runs: :func:`dump` keeps sending it work until the dump is done.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path


def wrapper(output: Path) -> list[str]:
    """The command prefix that runs a server under callgrind, writing to ``output`` (and, for
    each dump, ``output.1``, ``output.2``, ...). Names are written out in full in every part, so
    each part can be read on its own."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--compress-strings=no",
        "--compress-pos=no",
        f"--callgrind-out-file={output}",
    ]


async def dump(pid: int, wake: Callable[[], Awaitable[None]]) -> None:
    """Ask callgrind in process ``pid`` to write what it counted so far and start again from zero;
    ``wake`` is awaited until it has (once or twice: the dump lands somewhere in that work)."""
    command = ["callgrind_control", "--dump", str(pid)]
    control = asyncio.create_task(
        asyncio.to_thread(subprocess.run, command, check=True, capture_output=True)
    )
    while not control.done():
        await wake()
    await control


def instructions_by_object(part: Path) -> Counter[str]:
    """The instructions a callgrind output counted, by the shared object that ran them (the file
    name: ``libpython3.11.so.1.0``, ``_core.cpython-311-x86_64-linux-gnu.so`` under ``msgspec``).

    Only a function's own costs are added: the lines after ``calls=`` are the inclusive costs of
    what it called, counted again where the callee's own costs are."""
    by_object: Counter[str] = Counter()
    current = "???"
    after_call = False
    with part.open(errors="replace") as lines:
        for line in lines:
            if line.startswith("ob="):
                current = object_name(line[3:].strip())
            elif line.startswith("calls="):
                after_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                if not after_call:
                    fields = line.split()
                    if len(fields) >= 2:
                        by_object[current] += int(fields[1])
                after_call = False
    return by_object


def object_name(path: str) -> str:
    """A short name for an object: ``package/module`` for an extension module of a package,
    ``module`` for one of the standard library's, else the file name up to ``.so``."""
    file = Path(path)
    if ".cpython-" not in file.name:
        return file.name.split(".so")[0]
    module = file.name.split(".cpython-")[0]
    return module if file.parent.name == "lib-dynload" else f"{file.parent.name}/{module}"
