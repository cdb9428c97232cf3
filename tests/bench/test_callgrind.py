"""Reading callgrind's output by shared object (``bench/_callgrind.py``)."""

from __future__ import annotations

from pathlib import Path

from bench._callgrind import instructions_by_object, object_name

# What callgrind writes with --compress-strings=no --compress-pos=no: a function's own costs are
# "position cost" lines; a "calls=" line is followed by the callee's inclusive cost, which is
# counted again among the callee's own lines and must not be added twice.
PART = """\
# callgrind format
version: 1
positions: line
events: Ir
summary: 1111

ob=/usr/lib/libpython3.11.so.1.0
fl=ceval.c
fn=_PyEval_EvalFrameDefault
10 500
11 100
cob=/site-packages/msgspec/_core.cpython-311-x86_64-linux-gnu.so
cfl=_core.c
cfn=json_decode
calls=1 20
12 400
13 11

ob=/site-packages/msgspec/_core.cpython-311-x86_64-linux-gnu.so
fl=_core.c
fn=json_decode
20 400
"""


def test_each_object_gets_its_own_costs_and_not_what_it_called(tmp_path: Path) -> None:
    part = tmp_path / "out.2"
    part.write_text(PART)

    counted = instructions_by_object(part)

    assert counted == {"libpython3.11": 611, "msgspec/_core": 400}


def test_objects_are_named_by_package_or_file() -> None:
    assert object_name("/usr/lib/x86_64-linux-gnu/libc.so.6") == "libc"
    assert object_name("/opt/python/lib/libpython3.11.so.1.0") == "libpython3.11"
    assert object_name("/opt/python/lib/python3.11/lib-dynload/_asyncio.cpython-311.so") == (
        "_asyncio"
    )
    assert object_name("/venv/site-packages/pydantic_core/_pydantic_core.cpython-311.so") == (
        "pydantic_core/_pydantic_core"
    )
    assert object_name("???") == "???"
