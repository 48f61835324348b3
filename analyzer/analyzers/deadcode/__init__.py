"""Dead-code analyzer: vulture, through its Python API, at vulture's default 60% confidence.

vulture runs without ignore settings of its own, so every item it would report is seen.
Items a framework uses are then set aside, not dropped: those vulture's own
``ignore_decorators`` / ``ignore_names`` settings (rules/vulture.toml) would have left out,
and those a framework whitelist covers (``[settings.whitelists]``, applied only when the
project uses that framework), are reported as suppressed (``whitelisted``), with the
setting or whitelist named in the finding's ``whitelisted_by`` detail. Raw vulture's items
are therefore exactly the findings plus the whitelisted ones.

Two phases (see ``facts``): vulture scans each file on its own, in parallel and cached per
file, and the join replays every file's records into one vulture and asks it what is
unused. A changed file costs its own scan and the join, not a scan of the whole project.

This module holds only what the engine reads without running the analyzer; the phases
(``phases``), and vulture with them, are imported when it runs, so a scan served from the
cache never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from analyzer.model import AnalysisOutput, Scope
from analyzer.plugins import AnalysisRequest, AnalyzerFailure

SOURCE_PATTERNS = ("*.py", "*.pyw")
# Packaging files that declare dependencies, read by the join (see ``usage``).
DEPENDENCY_FILES = ("pyproject.toml", "requirements*.txt", "METADATA")


class DeadCodeAnalyzer:
    name = "dead-code"
    tool = "vulture"
    scope: Scope = "file"
    file_patterns: tuple[str, ...] = (*SOURCE_PATTERNS, *DEPENDENCY_FILES)

    def tool_version(self) -> str:
        return version("vulture")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        """The per-file phase: what vulture records in each Python file, as its facts."""
        from analyzer.analyzers.deadcode.phases import first_phase

        return first_phase(request)

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        """The join: one vulture holding every file's records says what is unused."""
        from analyzer.analyzers.deadcode.phases import join

        return join(request, outputs)
