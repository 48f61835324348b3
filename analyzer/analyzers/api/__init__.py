"""The API and database layer analyzer: an endpoint inventory plus endpoint and query rules.

Design: routes, the blueprints or routers they hang on, and the prefixes and dependencies
those get when mounted live in different modules, so the analyzer has two phases:

1. per file (``analyze``, run in parallel and cached per file): a bytes pre-filter decides
   whether a file needs libcst at all, and whether for its declarations or only for the
   body rules (``prefilter``); libcst then extracts declarations into plain
   ``ModuleFacts``, carried as JSON in the output's facts, and reports the body rules
   (``extract``, ``rules_body``);
2. join (``combine``, once): files that declarations refer to but that the first phase
   gave no declarations for are parsed (``passes.second_round``), the facts of all modules
   are indexed by qualified name and connected into endpoints, and the endpoint rules run
   (``project``, ``endpoints``, ``rules_endpoint``).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from analyzer.model import AnalysisOutput, Scope
from analyzer.plugins import AnalysisRequest, AnalyzerFailure


class ApiAnalyzer:
    """The entry point. The phases, and libcst with them, are imported when the analyzer
    runs: a scan served from the cache never imports them (0.4 s of a warm scan)."""

    name = "api"
    tool = "api"
    scope: Scope = "file"
    file_patterns: tuple[str, ...] = ("*.py",)

    def tool_version(self) -> str:
        return f"libcst {version('libcst')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        """The per-file phase: body findings, plus declarations as facts for ``combine``."""
        from analyzer.analyzers.api.phases import first_phase

        return first_phase(request)

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        """The join: endpoints, endpoint findings and their measures."""
        from analyzer.analyzers.api.phases import join

        return join(request, outputs)
