"""Complexity analyzer: radon, through its Python API, parsing each file once.

Cyclomatic complexity per function and method (findings for rank C and worse), the
maintainability index per module, and raw line counts as measures. The maintainability
index is computed from the same tree radon's complexity visitor walks, instead of calling
``mi_visit`` (which would parse and walk the file again).
"""

from __future__ import annotations

import ast
from importlib.metadata import version
from typing import Any

from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.source import PARSE_ERRORS, describe_parse_error, parse_file

REPORTED_RANKS = ("C", "D", "E", "F")
# radon's line counter re-tokenizes a statement once per physical line it spans, so its cost
# grows with the square of a statement's length: one 3,600-line dict literal (rich's emoji
# table) takes ~50 s. Past this many lines in one statement, the raw counts and the
# maintainability index are left out for that file, and the file is listed in errors.
MAX_STATEMENT_LINES = 600


class ComplexityAnalyzer:
    name = "complexity"
    tool = "radon"
    scope = "file"
    file_patterns = ("*.py", "*.pyw")

    def tool_version(self) -> str:
        return version("radon")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        findings: list[RawFinding] = []
        measures: list[Measure] = []
        errors: list[FileError] = []
        for source_file in request.files:
            result = measure_file(request.root, source_file.path)
            if isinstance(result, FileError):
                errors.append(result)
            else:
                findings.extend(result[0])
                measures.extend(result[1])
                errors.extend(result[2])
        return AnalysisOutput(
            findings=tuple(findings), measures=tuple(measures), errors=tuple(errors)
        )


FileResult = tuple[list[RawFinding], list[Measure], list[FileError]]


def measure_file(root: str, path: str) -> FileResult | FileError:
    parsed = parse_file(root, path, "complexity")
    if isinstance(parsed, FileError):
        return parsed
    try:
        return _analyze_tree(*parsed, path)
    except PARSE_ERRORS as exc:  # radon's own tokenizer can still hit its limits
        return FileError(path=path, analyzer="complexity", reason=describe_parse_error(exc))


def _analyze_tree(text: str, tree: ast.Module, path: str) -> FileResult:
    from radon.complexity import cc_rank
    from radon.visitors import ComplexityVisitor

    visitor = ComplexityVisitor.from_ast(tree)
    findings = [
        _to_finding(block, path, cc_rank(block.complexity))
        for block in _functions(visitor)
        if cc_rank(block.complexity) in REPORTED_RANKS
    ]
    measures = [Measure(name="complexity.functions", value=len(_functions(visitor)), path=path)]
    longest = _longest_statement(tree)
    if longest is not None and longest[0] > MAX_STATEMENT_LINES:
        lines, line = longest
        reason = (
            f"line counts and maintainability index not computed: the {lines:,}-line statement "
            f"at line {line} (a data table?) is over {MAX_STATEMENT_LINES} lines, and radon's "
            "line counter slows with the square of a statement's length; complexity is reported"
        )
        return findings, measures, [FileError(path=path, analyzer="complexity", reason=reason)]
    return findings, [*measures, *_raw_measures(text, tree, visitor, path)], []


def _raw_measures(text: str, tree: ast.AST, visitor: Any, path: str) -> list[Measure]:
    from radon.metrics import h_visit_ast, mi_compute
    from radon.raw import analyze

    raw = analyze(text)
    comment_lines = raw.comments + raw.multi
    comment_percent = comment_lines / raw.sloc * 100 if raw.sloc else 0.0
    mi = mi_compute(
        h_visit_ast(tree).total.volume, visitor.total_complexity, raw.lloc, comment_percent
    )
    return [
        Measure(name="raw.loc", value=raw.loc, path=path),
        Measure(name="raw.sloc", value=raw.sloc, path=path),
        Measure(name="raw.lloc", value=raw.lloc, path=path),
        Measure(name="raw.comments", value=comment_lines, path=path),
        Measure(name="complexity.mi", value=round(float(mi), 2), path=path),
    ]


def _longest_statement(tree: ast.Module) -> tuple[int, int] | None:
    """(lines, first line) of the longest simple statement, the unit radon tokenizes.

    Walks statement lists only, never into expressions, so it costs little.
    """
    longest: tuple[int, int] | None = None
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        blocks = [getattr(node, field, None) for field in _STATEMENT_FIELDS]
        nested = [stmt for block in blocks if isinstance(block, list) for stmt in block]
        for handler in getattr(node, "handlers", ()) or getattr(node, "cases", ()):
            nested.extend(handler.body)
        if nested:
            pending.extend(s for s in nested if isinstance(s, ast.stmt))
            continue
        span = (node.end_lineno or node.lineno) - node.lineno + 1
        if longest is None or span > longest[0]:
            longest = (span, node.lineno)
    return longest


_STATEMENT_FIELDS = ("body", "orelse", "finalbody")


def _functions(visitor: Any) -> list[Any]:
    """Every function and method, classes unwrapped (radon lists a class and its methods)."""
    blocks = list(visitor.functions)
    for klass in visitor.classes:
        blocks.extend(klass.methods)
    return blocks


def _to_finding(block: Any, path: str, rank: str) -> RawFinding:
    return RawFinding(
        tool="radon",
        tool_code=f"CC-{rank}",
        message=f"{block.fullname} has cyclomatic complexity {block.complexity} (rank {rank})",
        path=path,
        line=int(block.lineno),
        column=int(block.col_offset) + 1,
        column_unit="utf-8-bytes",
        end_line=int(block.endline),
        details=(
            ("complexity", int(block.complexity)),
            ("units", max(int(block.complexity) - 10, 0)),
        ),
    )
