"""The documentation analyzer's two phases (see the package's docstring): docstrings per
file, then which project documents exist. Imported when the analyzer runs, so a scan
served from the cache loads neither these checks nor the document readers."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from analyzer.analyzers.documentation.docstrings import public_symbols
from analyzer.analyzers.documentation.presence import (
    DocumentScope,
    DocumentText,
    generated_by,
    generator_markers,
    is_document,
    is_project_document,
    is_readable_document,
    locate,
    parse_kinds,
    project_folder,
    project_key,
    read_document,
)
from analyzer.discover import matches_any, read_project_name
from analyzer.model import AnalysisOutput, FileError, FileFacts, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure, PerFile, gather_per_file
from analyzer.rules import load_settings
from analyzer.source import parse_file, read_source

ROOT = "."


def first_phase(request: AnalysisRequest) -> AnalysisOutput:
    """Docstrings per file: findings and coverage measures, and generator markers as facts."""
    settings = request.options or load_settings("documentation")
    exempt = tuple(str(p) for p in settings["docstring_exempt"])
    markers = generator_markers(parse_kinds(settings["documents"]))
    results: list[PerFile] = []
    facts: list[FileFacts] = []
    for path in sorted(f.path for f in request.files):
        if not path.endswith(".py") or matches_any(path, exempt):
            continue
        parsed = parse_file(request.root, path, "documentation")
        if isinstance(parsed, FileError):
            results.append(parsed)
            continue
        results.append(check_docstrings(path, parsed[1]))
        found = [marker for marker in markers if marker in parsed[0]]
        if found:
            facts.append(FileFacts(path=path, data=json.dumps(found)))
    return replace(gather_per_file(results), facts=tuple(facts))


def join(
    request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
) -> AnalysisOutput | AnalyzerFailure:
    """Which project documents exist: a presence measure per kind, a finding per missing one."""
    if not request.files:
        # An empty tree has nothing to document; "no README" would be noise.
        return AnalysisOutput()
    settings = request.options or load_settings("documentation")
    paths = sorted(f.path for f in request.files)
    try:
        generated = {f.path: tuple(json.loads(f.data)) for o in outputs for f in o.facts}
    except ValueError as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    findings, measures, errors = check_documents(request.root, paths, settings, generated)
    return AnalysisOutput(findings=tuple(findings), measures=tuple(measures), errors=tuple(errors))


def check_documents(
    root: str,
    paths: list[str],
    settings: Mapping[str, Any],
    generated: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[list[RawFinding], list[Measure], list[FileError]]:
    """One presence measure per kind of document, on the file that holds or links to it
    (so the export says where), and a finding for each missing one."""
    scope = DocumentScope(
        ignored=tuple(str(p) for p in settings["ignored_documents"]),
        docs_sites=tuple(str(p).lower() for p in settings["docs_sites"]),
        project=project_key(read_project_name(Path(root))),
    )
    documents = [path for path in paths if is_document(path, scope)]
    folder = project_folder(paths)
    errors: list[FileError] = []
    texts: dict[str, DocumentText] = {}
    for path in documents:
        if not is_project_document(path, folder) or not is_readable_document(path):
            continue
        text = read_source(root, path, "documentation")
        if isinstance(text, FileError):
            errors.append(text)
        else:
            texts[path] = read_document(text)
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    for kind in parse_kinds(settings["documents"]):
        where = locate(kind, documents, texts, scope, folder) or generated_by(kind, generated or {})
        measures.append(
            Measure(
                name=f"documentation.{kind.key}",
                value=0 if where is None else 1,
                path=None if where is None else where.path,
            )
        )
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


def check_docstrings(path: str, tree: ast.Module) -> tuple[list[RawFinding], list[Measure]]:
    symbols = public_symbols(tree)
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
