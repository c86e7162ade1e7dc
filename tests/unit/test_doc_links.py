"""Every relative link in README.md and docs/*.md resolves: to a file of the checkout, and a
``#fragment`` to a heading of that file (GitHub's anchor for it). Links to the web are not followed
(no network in the suite); code spans and fenced blocks are not prose and are skipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def _prose(text: str, *, code_spans: bool = False) -> list[tuple[int, str]]:
    """(line number, line) outside fenced blocks, with code spans removed unless asked for."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line if code_spans else re.sub(r"`[^`]*`", "", line)))
    return lines


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, link text kept, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text.replace("`", "")).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of ``path``'s headings; a repeated heading's later ones get ``-1``, ``-2``..."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, line in _prose(path.read_text(encoding="utf-8"), code_spans=True):
        match = _HEADING.match(line)
        if match:
            slug = anchor(match.group(1))
            counts[slug] = counts.get(slug, 0) + 1
            found.add(slug if counts[slug] == 1 else f"{slug}-{counts[slug] - 1}")
    return found


def broken_links(document: Path, root: Path) -> list[str]:
    """``file:line: target (why)`` for each relative link of ``document`` that does not resolve."""
    broken = []
    for number, line in _prose(document.read_text(encoding="utf-8")):
        for target in _LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # a URL (https:, mailto:): not followed offline
            path, _, fragment = target.partition("#")
            dest = (document.parent / path).resolve() if path else document
            where = f"{document.relative_to(root)}:{number}: {target}"
            if not dest.exists() or root not in dest.parents:
                broken.append(f"{where} (no such file in the checkout)")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                broken.append(f"{where} (no such heading)")
    return broken


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_of_the_documentation_resolves(document: Path) -> None:
    assert broken_links(document, ROOT) == []


def test_a_missing_file_a_missing_heading_and_a_link_out_of_the_checkout_are_reported(
    tmp_path: Path,
) -> None:
    # Given a document with good links (file, heading, repeated heading, URL, code) and bad ones
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Run the `Connect` test cases\n## Notes\n## Notes\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "[ok](other.md) [ok](other.md#run-the-connect-test-cases) [ok](other.md#notes-1)\n"
        "[web](https://example.invalid/x) `[code](missing.md)`\n"
        "```\n[fenced](missing.md)\n```\n"
        "[gone](missing.md)\n[heading](other.md#no-such-part)\n[outside](../../etc/passwd)\n",
        encoding="utf-8",
    )
    # When it is checked / Then exactly the three bad links are named, with their lines
    assert broken_links(page, tmp_path) == [
        "docs/page.md:6: missing.md (no such file in the checkout)",
        "docs/page.md:7: other.md#no-such-part (no such heading)",
        "docs/page.md:8: ../../etc/passwd (no such file in the checkout)",
    ]
