"""The api's queries are what the pages read: mypy checks that ApiQueries is a WebReader, and the
test reader used for rendering tests is one too, so neither can drift from the Protocol."""

from __future__ import annotations

import inspect

from aftomato.api.queries import ApiQueries
from aftomato.api.web import WebReader
from tests.api.web.memory_reader import MemoryReader


def as_reader(queries: ApiQueries, memory: MemoryReader) -> tuple[WebReader, WebReader]:
    return queries, memory  # mypy --strict fails here when a signature drifts


def test_every_reader_method_takes_the_protocols_parameters() -> None:
    for name, method in inspect.getmembers(WebReader, inspect.isfunction):
        if name.startswith("_"):
            continue
        wanted = inspect.signature(method).parameters
        for implementation in (ApiQueries, MemoryReader):
            given = getattr(implementation, name, None)
            assert given is not None, f"{implementation.__name__} lacks {name}"
            assert inspect.iscoroutinefunction(given), f"{implementation.__name__}.{name} is sync"
            parameters = inspect.signature(given).parameters
            for parameter in wanted.values():
                assert parameters.get(parameter.name) is not None, (implementation, name, parameter)
                assert parameters[parameter.name].kind == parameter.kind, (implementation, name)
            extra = [p for p in parameters.values() if p.name not in wanted]
            assert all(p.default is not inspect.Parameter.empty for p in extra), (name, extra)
