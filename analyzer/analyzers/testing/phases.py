"""The testing analyzer's two phases (see the package's docstring): facts per file, then
the join that relates tests to code and reads any coverage report. Imported when the
analyzer runs, so a scan served from the cache loads none of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.analyzers.testing import COVERAGE_FILES
from analyzer.analyzers.testing.layout import TestLayout
from analyzer.analyzers.testing.paths import match_recorded_paths
from analyzer.analyzers.testing.project import ProjectSources, file_facts
from analyzer.discover.reader import read_inside
from analyzer.model import AnalysisOutput, FileError, FileFacts, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import load_settings
from analyzer.source import read_source

if TYPE_CHECKING:
    # coverage.py is imported only when a coverage report is read (in ``join``).
    from analyzer.analyzers.testing.coverage_data import CoverageReport


def first_phase(request: AnalysisRequest) -> AnalysisOutput:
    """Per file, as facts for the join: test or code, its lines, module name and imports."""
    layout = _layout(request)
    facts: list[FileFacts] = []
    errors: list[FileError] = []
    for source in request.files:
        if not source.path.endswith(".py"):
            continue
        result = file_facts(request.root, source.path, layout)
        if isinstance(result, FileError):
            errors.append(result)
        else:
            facts.append(result)
    return AnalysisOutput(errors=tuple(errors), facts=tuple(facts))


def join(
    request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
) -> AnalysisOutput | AnalyzerFailure:
    """The join: modules without tests, the test-to-code ratio, and coverage data."""
    if not any(f.path.endswith(".py") for f in request.files):
        # No Python code, nothing to test: coverage advice would be noise.
        return AnalysisOutput()
    settings = request.options or load_settings("testing")
    try:
        project = ProjectSources.from_facts(_layout(request), (f for o in outputs for f in o.facts))
    except (KeyError, TypeError, ValueError) as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    findings, measures = project.findings_and_measures()
    report, errors = _read_first_report(request, project)
    if report is None:
        findings.append(_no_coverage_finding())
    else:
        threshold = float(settings["low_coverage_threshold"])
        untested = {f.path for f in findings if f.tool_code == "untested-module"}
        coverage_findings, coverage_measures = _coverage_results(
            report, project, threshold, untested
        )
        findings.extend(coverage_findings)
        measures.extend(coverage_measures)
    return AnalysisOutput(findings=tuple(findings), measures=tuple(measures), errors=tuple(errors))


def _layout(request: AnalysisRequest) -> TestLayout:
    settings = request.options or load_settings("testing")
    return TestLayout(
        test_patterns=tuple(settings["test_patterns"]),
        exempt_patterns=tuple(settings["exempt_patterns"]),
        source_roots=tuple(settings["source_roots"]),
    )


def _coverage_candidates(request: AnalysisRequest) -> list[str]:
    """Coverage files in reading order: format first, then shallowest path."""
    found = {f.path for f in request.files if f.path.rsplit("/", 1)[-1] in COVERAGE_FILES}
    found.update(name for name in COVERAGE_FILES if (Path(request.root) / name).is_file())
    return sorted(
        found, key=lambda p: (COVERAGE_FILES.index(p.rsplit("/", 1)[-1]), p.count("/"), p)
    )


def _read_first_report(
    request: AnalysisRequest, project: ProjectSources
) -> tuple[CoverageReport | None, list[FileError]]:
    from analyzer.analyzers.testing.coverage_data import CoverageError

    errors: list[FileError] = []
    for path in _coverage_candidates(request):
        try:
            report = _read_report(request.root, path, project)
        except (CoverageError, OSError) as exc:
            errors.append(
                FileError(path=path, analyzer="testing", reason=f"unreadable coverage data: {exc}")
            )
            continue
        return report, errors
    return None, errors


def _read_report(root: str, relative: str, project: ProjectSources) -> CoverageReport:
    from analyzer.analyzers.testing.coverage_data import (
        MAX_COVERAGE_BYTES,
        read_coverage_json,
        read_coverage_sqlite,
        read_coverage_xml,
    )

    # Through the guarded reader: a regular file inside the tree, of bounded size.
    data = read_inside(root, relative, limit=MAX_COVERAGE_BYTES)
    name = relative.rsplit("/", 1)[-1]
    if name == "coverage.xml":
        return read_coverage_xml(data, name)
    if name == "coverage.json":
        return read_coverage_json(data, name)
    return read_coverage_sqlite(data, name, _statements_lookup(root, project))


def _statements_lookup(root: str, project: ProjectSources) -> Callable[[str], set[int] | None]:
    """Statement lines of the scanned file a recorded path names, parsed on demand."""
    from analyzer.analyzers.testing.coverage_data import statement_lines

    def statements_of(recorded: str) -> set[int] | None:
        matched = match_recorded_paths([recorded], project.paths).get(recorded)
        if matched is None:
            return None
        text = read_source(root, matched, "testing")
        if isinstance(text, FileError):
            return None
        return statement_lines(text, matched)

    return statements_of


def _coverage_results(
    report: CoverageReport, project: ProjectSources, threshold: float, untested: set[str]
) -> tuple[list[RawFinding], list[Measure]]:
    """Per-file measures; ``low-coverage`` for files that have tests that do not reach them
    (a module without any test already has its ``untested-module`` finding)."""
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    if report.percent is not None:
        measures.append(Measure(name="testing.coverage_percent", value=report.percent))
    matched = match_recorded_paths(report.files, project.paths)
    for recorded, path in sorted(matched.items(), key=lambda item: item[1]):
        coverage = report.files[recorded]
        measures.extend(
            [
                Measure(name="testing.file_coverage_percent", value=coverage.percent, path=path),
                Measure(name="testing.statements", value=coverage.statements, path=path),
                Measure(name="testing.covered_statements", value=coverage.covered, path=path),
            ]
        )
        if (
            coverage.statements
            and coverage.percent < threshold
            and path not in untested
            and not project.layout.is_test(path)
        ):
            findings.append(
                RawFinding(
                    tool="testing",
                    tool_code="low-coverage",
                    path=path,
                    line=1,
                    about="file",
                    message=f"{coverage.percent:.0f}% of {coverage.statements} statements covered "
                    f"(threshold {threshold:g}%, from {report.source})",
                    details=(
                        ("coverage_percent", coverage.percent),
                        ("units", coverage.statements - coverage.covered),
                    ),
                )
            )
    return findings, measures


def _no_coverage_finding() -> RawFinding:
    return RawFinding(
        tool="testing",
        tool_code="no-coverage-data",
        path=".",
        line=1,
        message="Coverage is not measured: no coverage.xml, coverage.json or .coverage found; "
        "run `pytest --cov --cov-report=xml` and scan again",
    )
