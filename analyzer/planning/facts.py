"""What the scan and the git history say about each file, indexed once per file.

Risk, value and titles ask about a finding's file and function thousands of times; every
question here is a dictionary lookup (or a scan of the few complex functions of one file),
so planning stays linear in the findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.discover import is_test_file
from analyzer.discover.history import History
from analyzer.model import Finding, ScanResult
from analyzer.planning.settings import RiskThresholds


@dataclass(frozen=True, kw_only=True, slots=True)
class ComplexFunction:
    name: str
    complexity: int
    line: int
    end_line: int


@dataclass(frozen=True, kw_only=True, slots=True)
class CodeFacts:
    """Per-file facts, gathered once from the scan and the history."""

    maintainability: Mapping[str, float]
    # The functions the complexity analyzer flagged, by file.
    complex_functions: Mapping[str, tuple[ComplexFunction, ...]]
    coverage: Mapping[str, float]
    tested_names: frozenset[str]
    # Modules the testing analyzer found no test for (it knows imports and exemptions such
    # as migrations); None when it did not run, and file names are all there is to go by.
    untested_modules: frozenset[str] | None = None
    # Files holding an HTTP endpoint.
    endpoint_files: frozenset[str] = frozenset()
    # Commits per file in the history window; empty without history.
    file_commits: Mapping[str, int] = field(default_factory=dict)

    def is_tested(self, path: str, threshold: float) -> bool:
        if is_test_file(path):
            return True
        if path in self.coverage:
            return self.coverage[path] >= threshold
        if self.untested_modules is not None:
            return path not in self.untested_modules
        if self.coverage:
            return False
        return module_name(path) in self.tested_names

    def complex_function_at(self, finding: Finding) -> ComplexFunction | None:
        """The flagged function the finding sits in, if any."""
        symbol = finding.symbol or ""
        for function in self.complex_functions.get(finding.path, ()):
            if symbol == function.name or symbol.startswith(f"{function.name}."):
                return function
        return None


def gather_code_facts(
    result: ScanResult, thresholds: RiskThresholds, history: History | None = None
) -> CodeFacts:
    paths = {m.path for m in result.measures if m.path} | {f.path for f in result.findings}
    by_name: dict[str, dict[str, float]] = {}
    for measure in result.measures:
        if measure.path is not None:
            by_name.setdefault(measure.name, {})[measure.path] = measure.value
    return CodeFacts(
        maintainability=by_name.get(thresholds.maintainability_measure, {}),
        complex_functions=index_complex_functions(result.findings, thresholds.complexity_category),
        coverage=by_name.get(thresholds.coverage_measure, {}),
        tested_names=frozenset(name for p in paths if is_test_file(p) for name in _subjects(p)),
        untested_modules=_untested_by_analyzer(result),
        endpoint_files=frozenset(endpoint.path for endpoint in result.endpoints),
        file_commits=(
            {churn.path: churn.commits for churn in history.files} if history is not None else {}
        ),
    )


def index_complex_functions(
    findings: tuple[Finding, ...], category: str
) -> dict[str, tuple[ComplexFunction, ...]]:
    index: dict[str, list[ComplexFunction]] = {}
    for finding in findings:
        if finding.category == category and finding.symbol:
            index.setdefault(finding.path, []).append(
                ComplexFunction(
                    name=finding.symbol,
                    complexity=complexity_of(finding),
                    line=finding.line,
                    end_line=max(finding.line, finding.end_line or finding.line),
                )
            )
    return {path: tuple(sorted(items, key=lambda f: f.line)) for path, items in index.items()}


def complexity_of(finding: Finding) -> int:
    value = dict(finding.details).get("complexity")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _untested_by_analyzer(result: ScanResult) -> frozenset[str] | None:
    if not any(run.name == "testing" and run.status == "ok" for run in result.analyzers):
        return None
    return frozenset(
        f.path
        for f in (*result.findings, *result.suppressed)
        if f.rule_id == "testing.untested-module"
    )


def module_name(path: str) -> str:
    """``pkg/core/config.py`` -> ``config``; a package's ``__init__.py`` -> the package."""
    pure = PurePosixPath(path)
    return pure.parent.name if pure.stem == "__init__" else pure.stem


def _subjects(test_path: str) -> tuple[str, ...]:
    stem = PurePosixPath(test_path).stem
    if stem.startswith("test_"):
        return (stem[5:],)
    if stem.endswith("_test"):
        return (stem[:-5],)
    return ()
