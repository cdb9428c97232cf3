"""The services' image: pinned base, every source root copied, non-root, one command per service.

hadolint (``make lint``) checks the Dockerfile's style; these check what it must agree with.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).parents[2]
DOCKERFILE = (REPOSITORY / "Dockerfile").read_text()
IGNORED = (REPOSITORY / ".dockerignore").read_text().split()


def instructions(keyword: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [
        line.split(None, 1)[1]
        for line in joined.splitlines()
        if line.split(None, 1)[:1] == [keyword]
    ]


def test_the_base_is_pinned_to_a_python_release_and_the_image_is_multi_stage() -> None:
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)
    assert instructions("FROM") == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_every_source_root_of_the_wheel_is_copied_and_not_ignored() -> None:
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = [source.split()[0].rstrip("/") for source in instructions("COPY")]
    for package in packages:  # e.g. services/api/aftomato
        assert any(package == c or package.startswith(f"{c}/") for c in copied), package
        assert not any(package.startswith(ignored.rstrip("/")) for ignored in IGNORED), package
    assert pyproject["project"]["readme"] in instructions("COPY")[0].split()


def test_the_image_runs_as_a_numeric_non_root_user_the_chart_agrees_with() -> None:
    (user,) = instructions("USER")
    uid = int(user.split(":")[0])
    assert uid != 0
    values = (REPOSITORY / "charts" / "aftomato" / "values.yaml").read_text()
    assert f"runAsUser: {uid}" in values


def test_the_command_is_aftomato_and_the_health_check_asks_healthz() -> None:
    assert json.loads(instructions("ENTRYPOINT")[0]) == ["aftomato"]
    (health,) = instructions("HEALTHCHECK")
    assert "/healthz" in health
    assert "AFTOMATO_HTTP_PORT" in health
    assert "AFTOMATO_HEALTH_PORT" in health
