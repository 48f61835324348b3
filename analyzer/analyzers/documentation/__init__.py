"""Documentation analyzer: which project documents exist, and docstring coverage.

Missing documents (README, deployment and troubleshooting guides, changelog, API docs) are
project-level findings on path ``"."``, line 1. Public symbols without a docstring are
``info`` findings, one per symbol, so large projects are not flooded with noise but
nothing is dropped; docstring coverage is measured per file.

This module holds only what the engine reads without running the analyzer; the phases
(``phases``) are imported when it runs, so a scan served from the cache never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from analyzer.discover.project import PROJECT_NAME_FILES
from analyzer.model import AnalysisOutput
from analyzer.plugins import AnalysisRequest, AnalyzerFailure

DOC_PATTERNS = (
    "*.md",
    "*.markdown",
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
    # An unpacked wheel's METADATA holds the project's README as its description.
    "*.dist-info/METADATA",
)
# OpenAPI / Swagger documents, wherever they are kept.
API_SPEC_PATTERNS = ("*openapi*", "*swagger*", "*api-spec*", "*api_spec*", "*/docs/*")


class DocumentationAnalyzer:
    """Two phases: docstrings per file (in parallel, cached per file), then which project
    documents exist (``combine``, once)."""

    name = "documentation"
    tool = "documentation"
    scope = "file"
    file_patterns = (*DOC_PATTERNS, *API_SPEC_PATTERNS, "*.py", "mkdocs.yml")
    # The join reads the project's name (read_project_name) to tell its own documentation
    # site from others': those files' content is then in the join's cache key.
    reads_also = PROJECT_NAME_FILES

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        """Docstrings per file: findings and coverage measures, and generator markers as facts."""
        from analyzer.analyzers.documentation.phases import first_phase

        return first_phase(request)

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        """Which project documents exist: a presence measure per kind, a finding per missing one."""
        from analyzer.analyzers.documentation.phases import join

        return join(request, outputs)
