"""Documentation analyzer: which project documents exist, and docstring coverage.

Missing documents (README, deployment and troubleshooting guides, changelog, API docs) are
project-level findings on path ``"."``, line 1. Public symbols without a docstring are
``info`` findings, one per symbol, so large projects are not flooded with noise but
nothing is dropped; docstring coverage is measured per file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version
from typing import Any

from analyzer.analyzers.documentation.docstrings import public_symbols
from analyzer.analyzers.documentation.presence import headings, locate, parse_kinds
from analyzer.discover import matches_any
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure, gather_per_file
from analyzer.rules import load_settings
from analyzer.source import parse_file, read_source

DOC_PATTERNS = (
    "*.md",
    "*.rst",
    "*.txt",
    "*.adoc",
    "docs/*",
    "doc/*",
    "README*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "NEWS*",
)
ROOT = "."


class DocumentationAnalyzer:
    """Two phases: docstrings per file (in parallel, cached per file), then which project
    documents exist (``combine``, once)."""

    name = "documentation"
    tool = "documentation"
    scope = "file"
    file_patterns = (*DOC_PATTERNS, "*.py", "mkdocs.yml", "openapi.*")

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        settings = request.options or load_settings("documentation")
        exempt = tuple(str(p) for p in settings["docstring_exempt"])
        return gather_per_file(
            check_docstrings(request.root, path)
            for path in sorted(f.path for f in request.files)
            if path.endswith(".py") and not matches_any(path, exempt)
        )

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        if not request.files:
            # An empty tree has nothing to document; "no README" would be noise.
            return AnalysisOutput()
        settings = request.options or load_settings("documentation")
        paths = sorted(f.path for f in request.files)
        findings, measures, errors = check_documents(request.root, paths, settings)
        return AnalysisOutput(
            findings=tuple(findings), measures=tuple(measures), errors=tuple(errors)
        )


def check_documents(
    root: str, paths: list[str], settings: Mapping[str, Any]
) -> tuple[list[RawFinding], list[Measure], list[FileError]]:
    """One presence measure per kind of document, and a finding for each missing one."""
    errors: list[FileError] = []
    doc_headings: dict[str, list[str]] = {}
    for path in paths:
        hidden = path.rsplit("/", 1)[-1].startswith(".")
        if path.endswith((".md", ".rst", ".txt", ".adoc")) and not hidden:
            text = read_source(root, path, "documentation")
            if isinstance(text, FileError):
                errors.append(text)
            else:
                doc_headings[path] = headings(text)
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    for kind in parse_kinds(settings["documents"]):
        where = locate(kind, paths, doc_headings)
        measures.append(Measure(name=f"documentation.{kind.key}", value=0 if where is None else 1))
        if where is None:
            findings.append(
                RawFinding(
                    tool="documentation",
                    tool_code=kind.code,
                    message=f"No {kind.title} found",
                    path=ROOT,
                    line=1,
                )
            )
    return findings, measures, errors


def check_docstrings(root: str, path: str) -> tuple[list[RawFinding], list[Measure]] | FileError:
    parsed = parse_file(root, path, "documentation")
    if isinstance(parsed, FileError):
        return parsed
    symbols = public_symbols(parsed[1])
    findings = [
        RawFinding(
            tool="documentation",
            tool_code="missing-docstring",
            path=path,
            line=s.line,
            column=s.column,
            column_unit="utf-8-bytes",
            message=f"Public {s.kind} {s.name} has no docstring",
            details=(("kind", s.kind),),
        )
        for s in symbols
        if not s.documented
    ]
    measures = [
        Measure(name="documentation.public_symbols", value=len(symbols), path=path),
        Measure(
            name="documentation.documented_symbols",
            value=sum(s.documented for s in symbols),
            path=path,
        ),
    ]
    return findings, measures
