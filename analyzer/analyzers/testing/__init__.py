"""Testing analyzer: existing coverage data, modules without tests, test-to-code ratio.

It never runs the target's tests: coverage comes from files a previous run left behind
(``coverage.xml``, ``coverage.json``, ``.coverage``; see ``coverage_data``). Those are
usually git-ignored, so besides the discovered files the standard names are also looked
up at the scan root. Without any, the project gets one ``testing.no-coverage-data``
finding that says how to measure coverage.

This module holds only what the engine reads without running the analyzer; the phases
(``phases``) are imported when it runs, so a scan served from the cache never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from analyzer.model import AnalysisOutput
from analyzer.plugins import AnalysisRequest, AnalyzerFailure

COVERAGE_FILES = ("coverage.xml", "coverage.json", ".coverage")


class TestingAnalyzer:
    """Two phases: per-file facts (parsed in parallel, cached per file), then the join."""

    name = "testing"
    tool = "testing"
    scope = "file"
    file_patterns = ("*.py", *COVERAGE_FILES)
    # The join also reads a coverage file at the root that discovery left out (git ignores
    # them as a rule): its content is then in the join's cache key.
    reads_also = COVERAGE_FILES

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        """Per file, as facts for the join: test or code, its lines, module name and imports."""
        from analyzer.analyzers.testing.phases import first_phase

        return first_phase(request)

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        """The join: modules without tests, the test-to-code ratio, and coverage data."""
        from analyzer.analyzers.testing.phases import join

        return join(request, outputs)
