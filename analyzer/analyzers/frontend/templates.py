"""Template syntax (Jinja2 and Django) read as text: tags with their lines, and masking.

Both dialects share the ``{{ }}``, ``{% %}`` and ``{# #}`` delimiters, so one tolerant
scanner serves both and never rejects a file. Masking blanks every tag (newlines kept) so
that the HTML checks see plain markup at the original offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from analyzer.analyzers.frontend.expressions import (
    SafePolicy,
    is_trusted,
    marked_values,
    reads_request_input,
)
from analyzer.model import RawFinding

TagKind = Literal["expression", "statement", "comment"]

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMMENT_BLOCK = re.compile(r"\{%-?\s*comment\b.*?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
_AUTOESCAPE_OFF = re.compile(r"^autoescape\s+(false|off)\b", re.IGNORECASE)
_SAFE_FILTER = re.compile(r"\|\s*(safe|safeseq)\b")
_FILTER_SAFE_BLOCK = re.compile(r"^filter\s+safe\b")
# ``{% set name %}...{% endset %}``: markup the template builds itself (autoescaped).
_SET_BLOCK = re.compile(r"^set\s+([A-Za-z_]\w*)\s*$")
_KINDS: dict[str, TagKind] = {"{{": "expression", "{%": "statement", "{#": "comment"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Tag:
    kind: TagKind
    body: str
    line: int
    column: int
    start: int
    end: int


def scan_tags(text: str) -> list[Tag]:
    """Every template tag, in order, with 1-based line and column."""
    line_starts = line_starts_of(text)
    tags = []
    for match in _TAG.finditer(text):
        raw = match.group(0)
        body = raw[2:-2].strip("-+ \t\r\n")
        line, column = position(line_starts, match.start())
        tags.append(
            Tag(
                kind=_KINDS[raw[:2]],
                body=body,
                line=line,
                column=column,
                start=match.start(),
                end=match.end(),
            )
        )
    return tags


_COMMENT_TAG = re.compile(r"\{#.*?#\}", re.DOTALL)


def mask_comments(text: str) -> str:
    """The text with template comments (``{# #}``, Django comment blocks) blanked."""
    return _COMMENT_TAG.sub(_blank, _COMMENT_BLOCK.sub(_blank, text))


def mask_template(text: str) -> str:
    """The text with comment blocks and every tag replaced by spaces (newlines kept)."""
    return _TAG.sub(_blank, _COMMENT_BLOCK.sub(_blank, text))


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def line_starts_of(text: str) -> list[int]:
    """Offset at which each line starts."""
    return [0, *(i + 1 for i, char in enumerate(text) if char == "\n")]


def position(line_starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    low, high = 0, len(line_starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if line_starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1, offset - line_starts[low] + 1


def offset_of(line_starts: list[int], line: int, column0: int) -> int:
    """Offset of a 1-based line and 0-based column (as html.parser reports them)."""
    return line_starts[line - 1] + column0 if 0 < line <= len(line_starts) else 0


def check_tags(
    tags: list[Tag],
    path: str,
    request_names: tuple[str, ...],
    policy: SafePolicy,
    *,
    is_markup: bool = True,
) -> Iterator[RawFinding]:
    """Findings that come from template syntax alone. A template with no markup (a
    plain-text email body) may switch autoescaping off: there is no HTML to inject into."""
    local_markup = frozenset(
        match.group(1)
        for tag in tags
        if tag.kind == "statement" and (match := _SET_BLOCK.match(tag.body))
    )
    for tag in tags:
        if tag.kind == "comment":
            continue
        if is_markup and tag.kind == "statement" and _AUTOESCAPE_OFF.match(tag.body):
            yield _finding(
                tag, path, "autoescape-off-block", "Autoescaping is switched off for this block"
            )
        if tag.kind == "statement" and _FILTER_SAFE_BLOCK.match(tag.body):
            yield _finding(
                tag, path, "safe-filter", "A {% filter safe %} block bypasses autoescaping"
            )
        elif _SAFE_FILTER.search(tag.body):
            finding = _safe_finding(tag, path, request_names, policy, local_markup)
            if finding is not None:
                yield finding


def _safe_finding(
    tag: Tag,
    path: str,
    request_names: tuple[str, ...],
    policy: SafePolicy,
    local_markup: frozenset[str],
) -> RawFinding | None:
    """A finding for ``|safe`` on a value that may hold markup nobody escaped: request
    input (high), anything else not known to be safe (a value to review); none for string
    literals, translations, form-field rendering and escaped or sanitised values."""
    values = marked_values(tag.kind, tag.body)
    shown = " ".join(tag.body.split())[:80]
    if any(reads_request_input(v, request_names, policy) for v in values):
        return _finding(tag, path, "safe-filter-request-data", f"Request data marked safe: {shown}")
    if values and all(is_trusted(v, policy, local_markup) for v in values):
        return None
    return _finding(
        tag, path, "safe-filter", f"Output marked safe, bypassing autoescaping: {shown}"
    )


def _finding(tag: Tag, path: str, code: str, message: str) -> RawFinding:
    return RawFinding(
        tool="frontend",
        tool_code=code,
        message=message,
        path=path,
        line=tag.line,
        column=tag.column,
    )


_MARKUP_TAG = re.compile(r"<[A-Za-z!/]")


def has_markup(masked: str) -> bool:
    """Does the template, with its tags blanked, contain any HTML/XML tag?"""
    return _MARKUP_TAG.search(masked) is not None
