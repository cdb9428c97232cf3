"""Every relative link in the project's Markdown leads somewhere: the file or folder exists, and a
``#fragment`` into a Markdown file names one of its headings. Docs link into the code, and code
moves: this keeps them true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SKIPPED = {".venv", ".git", "node_modules", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`(?!\])")
EXTERNAL = ("http://", "https://", "mailto:")


def markdown_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts)
    )


def links(text: str) -> list[str]:
    """The link targets of ``text``, outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return LINK.findall(prose)


def heading_anchors(markdown: Path) -> set[str]:
    """The anchors GitHub gives the headings of ``markdown``."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", FENCE.sub("", markdown.read_text()), re.MULTILINE)
    return {_slug(heading) for heading in headings}


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.lower().replace("`", ""))
    return text.replace(" ", "-")


def broken_links(markdown: Path) -> list[str]:
    broken = []
    for target in links(markdown.read_text()):
        if target.startswith(EXTERNAL):
            continue
        path_part, _, fragment = target.partition("#")
        destination = (markdown.parent / path_part).resolve() if path_part else markdown
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif (
            fragment
            and destination.suffix == ".md"
            and fragment not in heading_anchors(destination)
        ):
            broken.append(f"{target}: no heading #{fragment} in {destination.name}")
    return broken


def test_the_docs_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}
    assert {"README.md", "docs/architecture.md", "docs/scheduling.md"} <= names


@pytest.mark.parametrize(
    "markdown", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_every_relative_link_leads_somewhere(markdown: Path) -> None:
    assert broken_links(markdown) == []


def test_a_broken_link_and_a_missing_heading_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# A heading, with `code`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-heading-with-code) [gone](missing.py) [bad](other.md#nowhere)\n"
        "`[in code](nothing.md)` [web](https://example.com/x)\n"
    )
    assert broken_links(page) == [
        "missing.py: no such file",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]
