"""The entrypoint runs in any image with Python 3.11 and boto3: it imports nothing else."""

import ast
import sys
from pathlib import Path

from tests.entrypoint.sandbox import BUILD_CONTAINER

PACKAGE = BUILD_CONTAINER / "aftomato" / "entrypoint"
ALLOWED_THIRD_PARTY = {"boto3", "botocore"}
TYPE_ONLY = {"mypy_boto3_s3"}  # under TYPE_CHECKING: not installed in the image


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_only_the_standard_library_boto3_and_the_package_itself_are_imported() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) >= 8
    foreign = {
        f"{path.name}: {module}"
        for path in sources
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY | TYPE_ONLY
        and not module.startswith("aftomato.entrypoint")
    }
    assert not foreign


def test_the_namespace_folder_has_no_init() -> None:
    assert not (BUILD_CONTAINER / "aftomato" / "__init__.py").exists()
    assert (PACKAGE / "__init__.py").exists()
