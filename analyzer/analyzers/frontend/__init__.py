"""Frontend analyzer: Jinja2 and Django templates, plus the Python that marks markup safe.

Templates are read as text (never rendered): template tags for autoescape and ``|safe``,
then the markup, with tags blanked, through ``html.parser`` for CSRF tokens, inline
handlers and scripts (which block a Content-Security-Policy) and accessibility.

Two phases: each file on its own (in parallel, cached per file), then a join for CSRF,
since a token can come from a macro in another template or from protection the whole
application switches on in Python (``CSRFProtect(app)``, Django's ``CsrfViewMiddleware``)
or in a script (an ``X-CSRFToken`` header on every request).

This module holds only what the engine reads without running the analyzer; the phases
(``phases``) are imported when it runs, so a scan served from the cache never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from analyzer.model import AnalysisOutput
from analyzer.plugins import AnalysisRequest, AnalyzerFailure

TEMPLATE_PATTERNS = ("*.html", "*.htm", "*.jinja", "*.jinja2", "*.j2", "*.djhtml")
SCRIPT_PATTERNS = ("*.js",)


class FrontendAnalyzer:
    name = "frontend"
    tool = "frontend"
    scope = "file"
    file_patterns = (*TEMPLATE_PATTERNS, *SCRIPT_PATTERNS, "*.py")

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        """Each file on its own: template and Python findings, and CSRF facts for the join."""
        from analyzer.analyzers.frontend.phases import first_phase

        return first_phase(request)

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure:
        """The CSRF join: POST forms no template, macro, script or application protects."""
        from analyzer.analyzers.frontend.phases import join

        return join(outputs)
