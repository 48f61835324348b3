"""Which kinds of project documentation exist: by file name, or by a heading in a doc file.

Findings about missing documents have no file to point at; they are reported on the scan
root, path ``"."``, line 1 (the convention for every project-level finding).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzer.discover import matches_any

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'#*+:.])\1{2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentKind:
    """One kind of document: its rule code, measure name, file globs and heading words."""

    key: str
    code: str
    title: str
    file_patterns: tuple[str, ...]
    heading_words: tuple[str, ...]


def parse_kinds(table: Mapping[str, Mapping[str, object]]) -> tuple[DocumentKind, ...]:
    kinds = []
    for key, row in sorted(table.items()):
        kinds.append(
            DocumentKind(
                key=key,
                code=str(row["code"]),
                title=str(row["title"]),
                file_patterns=tuple(str(p) for p in _sequence(row.get("files", []))),
                heading_words=tuple(str(w).lower() for w in _sequence(row.get("headings", []))),
            )
        )
    return tuple(kinds)


def _sequence(value: object) -> Sequence[object]:
    return value if isinstance(value, list | tuple) else ()


def headings(text: str) -> list[str]:
    """Markdown ATX headings and reStructuredText underlined titles outside code fences,
    lower-cased."""
    lines = text.splitlines()
    found = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = _MARKDOWN_HEADING.match(line)
        if match:
            found.append(match.group("title").lower())
        elif index > 0 and _is_rst_underline(line, lines[index - 1]):
            found.append(lines[index - 1].strip().lower())
    return found


def _is_rst_underline(line: str, title: str) -> bool:
    return (
        bool(_RST_UNDERLINE.match(line))
        and bool(title.strip())
        and len(line.rstrip()) >= len(title.rstrip())
    )


def locate(
    kind: DocumentKind, paths: Sequence[str], doc_headings: Mapping[str, list[str]]
) -> str | None:
    """The first file that is (by name) or contains (by heading) this kind of document."""
    for path in paths:
        if matches_any(path.lower(), kind.file_patterns):
            return path
    for path in sorted(doc_headings):
        if any(word in heading for heading in doc_headings[path] for word in kind.heading_words):
            return path
    return None
