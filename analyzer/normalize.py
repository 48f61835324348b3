"""Turn adapters' raw findings into normalized, fingerprinted, sorted findings.

Pure: the source lines and symbol spans it needs are handed in as ``SourceIndex`` values,
built at the edge by ``index_sources``.
"""

from __future__ import annotations

import ast
import hashlib
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analyzer.columns import to_code_points
from analyzer.model import PROJECT_PATH, Finding, RawFinding
from analyzer.rules import RuleBook
from analyzer.source import PARSE_ERRORS, read_source, source_lines

_IGNORE = re.compile(r"#\s*roadmap:\s*ignore(?:\[(?P<rules>[^\]]*)\])?", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# A trailing comment that is only a suppression marker (ours or a wrapped tool's).
_MARKER = re.compile(
    r"(?:\s*#\s*(?:roadmap:\s*ignore|nosec|noqa|type:\s*ignore)\b[^#]*)+$", re.IGNORECASE
)


@dataclass(frozen=True, kw_only=True, slots=True)
class SymbolSpan:
    start: int
    end: int
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceIndex:
    """The lines of one file and its function/class spans, innermost last."""

    lines: tuple[str, ...]
    spans: tuple[SymbolSpan, ...]
    # Where the innermost enclosing symbol changes: (first line, name or None), by line.
    # Built once, so each lookup is a binary search, whatever the number of functions.
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _names: tuple[str | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        segments = _segments(self.spans)
        object.__setattr__(self, "_starts", tuple(line for line, _ in segments))
        object.__setattr__(self, "_names", tuple(name for _, name in segments))

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def symbol_at(self, line: int) -> str | None:
        position = bisect_right(self._starts, line) - 1
        return self._names[position] if position >= 0 else None


def _segments(spans: Sequence[SymbolSpan]) -> list[tuple[int, str | None]]:
    """A sweep over the spans (properly nested, as functions and classes are): each start
    opens a segment named after the span; each end reopens the enclosing span's segment."""
    segments: list[tuple[int, str | None]] = []
    open_spans: list[SymbolSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        while open_spans and open_spans[-1].end < span.start:
            closed = open_spans.pop()
            segments.append((closed.end + 1, open_spans[-1].name if open_spans else None))
        open_spans.append(span)
        segments.append((span.start, span.name))
    while open_spans:
        closed = open_spans.pop()
        segments.append((closed.end + 1, open_spans[-1].name if open_spans else None))
    return segments


EMPTY_INDEX = SourceIndex(lines=(), spans=())


@dataclass(frozen=True, kw_only=True, slots=True)
class Normalized:
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]


def index_sources(root: str, paths: Iterable[str]) -> dict[str, SourceIndex]:
    """Read and index each file that has findings; unreadable ones get an empty index."""
    return {path: _index_one(root, path) for path in sorted(set(paths))}


def _index_one(root: str, path: str) -> SourceIndex:
    text = read_source(root, path, "normalize")
    if not isinstance(text, str):
        return EMPTY_INDEX
    lines = source_lines(text)
    if not path.endswith((".py", ".pyi", ".pyw")):
        return SourceIndex(lines=lines, spans=())
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return SourceIndex(lines=lines, spans=())
    return SourceIndex(lines=lines, spans=tuple(_spans(tree)))


def _spans(tree: ast.AST) -> list[SymbolSpan]:
    spans: list[SymbolSpan] = []
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                spans.append(
                    SymbolSpan(start=start, end=child.end_lineno or child.lineno, name=name)
                )
                stack.append((child, f"{name}."))
            else:
                stack.append((child, prefix))
    return sorted(spans, key=lambda s: (s.start, -s.end, s.name))


def normalize(
    raw: Sequence[RawFinding],
    rules: RuleBook,
    sources: Mapping[str, SourceIndex],
    severity_overrides: Mapping[str, str] | None = None,
) -> Normalized:
    """Attach rules, symbols and fingerprints; split out the findings suppressed inline or
    by their analyzer (a framework whitelist); sort."""
    overrides = severity_overrides or {}
    drafts = [_draft(item, rules, sources.get(item.path, EMPTY_INDEX), overrides) for item in raw]
    lines = _LineFacts()
    findings = _fingerprint(drafts, lines)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        (kept if finding.suppressed_by is None else suppressed).append(finding)
    return Normalized(findings=tuple(kept), suppressed=tuple(suppressed))


class _LineFacts:
    """What normalizing needs of a flagged line, computed once per distinct line: a file of
    one 500 KB line with 40,000 findings must not be scanned 40,000 times."""

    def __init__(self) -> None:
        self._normalized: dict[str, str] = {}
        self._ignores: dict[str, frozenset[str] | None] = {}

    def normalized(self, text: str) -> str:
        found = self._normalized.get(text)
        if found is None:
            found = self._normalized[text] = normalized_line(text)
        return found

    def ignored_rules(self, text: str) -> frozenset[str] | None:
        """The rules ``# roadmap: ignore[...]`` lists on the line (empty: all), or None."""
        if text not in self._ignores:
            self._ignores[text] = _ignore_marker(text)
        return self._ignores[text]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Draft:
    """A finding's fields but its fingerprint, which depends on the other findings."""

    values: dict[str, Any]
    line_text: str


def _draft(
    item: RawFinding, rules: RuleBook, index: SourceIndex, overrides: Mapping[str, str]
) -> _Draft:
    rule = rules.lookup(item.tool, item.tool_code)
    severity = overrides.get(rule.rule_id) or item.severity or rule.severity
    about = "project" if item.path == PROJECT_PATH else item.about
    line_text = index.line_text(item.line)
    values = {
        "rule_id": rule.rule_id,
        "tool": item.tool,
        "tool_code": item.tool_code,
        "category": rule.category,
        "severity": severity,
        "confidence": item.confidence or "high",
        "message": item.message,
        "path": item.path,
        "line": max(item.line, 1),
        "column": to_code_points(line_text, max(item.column, 1), item.column_unit),
        "end_line": item.end_line,
        "end_column": _end_column(item, index),
        "symbol": index.symbol_at(item.line) if about == "line" else None,
        "cwe": item.cwe or rule.cwe,
        "details": item.details,
        "suppressed_by": item.suppressed_by,
        "about": about,
    }
    return _Draft(values=values, line_text=line_text)


def _end_column(item: RawFinding, index: SourceIndex) -> int | None:
    if item.end_column is None:
        return None
    line = index.line_text(item.end_line or item.line)
    return to_code_points(line, item.end_column, item.column_unit)


def normalized_line(text: str) -> str:
    """The flagged line without indentation, spacing differences or a trailing suppression
    marker, so adding or removing ``# roadmap: ignore`` / ``# nosec`` keeps the identity."""
    return _SPACE.sub(" ", _MARKER.sub("", text).strip())


def _fingerprint(drafts: Sequence[_Draft], lines: _LineFacts) -> list[Finding]:
    """Fingerprint = hash(rule, path, symbol, normalized line, occurrence index). No line number.

    A finding about a whole file or the whole project has no line of its own (it is shown on
    line 1): its subject is the rule and the path, so no edit of the file changes it. A
    finding its analyzer did not already set aside is suppressed ``inline`` when its line
    says ``# roadmap: ignore`` for it. Sorted."""
    groups: dict[tuple[str, str, str, str], list[_Draft]] = defaultdict(list)
    for draft in drafts:
        v = draft.values
        # (An empty text, as a project-level finding always had: its fingerprint is unchanged.)
        text = lines.normalized(draft.line_text) if v["about"] == "line" else ""
        groups[(v["rule_id"], v["path"], v["symbol"] or "", text)].append(draft)
    result: list[Finding] = []
    for key, members in groups.items():
        members.sort(key=lambda d: (d.values["line"], d.values["column"], d.values["message"]))
        # The shared prefix is hashed once per group; each occurrence only adds its index.
        prefix = hashlib.sha256("\0".join((*key, "")).encode("utf-8", "surrogatepass"))
        for occurrence, draft in enumerate(members):
            state = prefix.copy()
            state.update(str(occurrence).encode())
            values = draft.values
            if values["suppressed_by"] is None and _is_suppressed(
                lines.ignored_rules(draft.line_text), values["rule_id"]
            ):
                values = {**values, "suppressed_by": "inline"}
            result.append(Finding(fingerprint=state.hexdigest()[:20], **values))
    result.sort(key=sort_key)
    return result


def sort_key(finding: Finding) -> tuple[str, int, int, str, str, str]:
    return (
        finding.path,
        finding.line,
        finding.column,
        finding.rule_id,
        finding.message,
        finding.fingerprint,
    )


def _ignore_marker(line_text: str) -> frozenset[str] | None:
    match = _IGNORE.search(line_text) if "roadmap" in line_text.lower() else None
    if match is None:
        return None
    listed = match.group("rules")
    if listed is None:
        return frozenset()
    return frozenset(r.strip() for r in listed.split(",") if r.strip())


def _is_suppressed(ignored: frozenset[str] | None, rule_id: str) -> bool:
    if ignored is None:
        return False
    return not ignored or rule_id in ignored or rule_id.split(".", 1)[-1] in ignored


__all__ = ["EMPTY_INDEX", "Normalized", "SourceIndex", "index_sources", "normalize", "sort_key"]
