"""The API and database layer analyzer: an endpoint inventory plus endpoint and query rules.

Design: the analyzer is project-scoped because routes, the blueprints or routers they hang
on, and the prefixes and dependencies those get when mounted live in different modules.
It runs in three steps:

1. pre-filter: a bytes regex keeps only files importing a web framework or a database/HTTP
   library (``prefilter``);
2. per-file pass: libcst with qualified names and positions extracts declarations into
   plain ``ModuleFacts`` and reports the body rules (``extract``, ``rules_body``); a second
   round parses files the pre-filter skipped but that declared routes refer to;
3. join: the facts of all modules are indexed by qualified name and connected into
   endpoints, then the endpoint rules run (``project``, ``endpoints``, ``rules_endpoint``).
"""

from __future__ import annotations

from importlib.metadata import version

from analyzer.analyzers.api.endpoints import collect_endpoints
from analyzer.analyzers.api.facts import Found, ModuleFacts
from analyzer.analyzers.api.passes import run_file_passes
from analyzer.analyzers.api.project import build_project
from analyzer.analyzers.api.rules_endpoint import endpoint_findings, unauthenticated_writes
from analyzer.analyzers.api.settings import ApiSettings, bundled_settings, parse_settings
from analyzer.model import AnalysisOutput, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import RuleError


class ApiAnalyzer:
    name = "api"
    tool = "api"
    scope = "project"
    file_patterns = ("*.py",)

    def tool_version(self) -> str:
        return version("libcst")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        try:
            settings = parse_settings(request.options) if request.options else bundled_settings()
        except RuleError as exc:
            return AnalyzerFailure(reason=str(exc))
        facts, errors = run_file_passes(request.root, request.files, settings)
        project = build_project(facts, settings)
        found = collect_endpoints(project, [r for m in facts for r in m.routes])
        body = [f for m in facts for f in m.findings]
        findings = sorted([*body, *endpoint_findings(found, settings)], key=_finding_order)
        return AnalysisOutput(
            findings=tuple(findings),
            measures=measure(found, body, settings, facts),
            errors=tuple(errors),
            endpoints=tuple(f.endpoint for f in found),
        )


def measure(
    found: list[Found], body: list[RawFinding], settings: ApiSettings, facts: list[ModuleFacts]
) -> tuple[Measure, ...]:
    """Per-file counts; metrics.py sums them into project totals."""
    counts: dict[tuple[str, str], int] = {}

    def add(name: str, path: str) -> None:
        counts[(name, path)] = counts.get((name, path), 0) + 1

    for item in found:
        add("api.endpoints", item.endpoint.path)
        if item.endpoint.documented:
            add("api.documented_endpoints", item.endpoint.path)
    for endpoint in unauthenticated_writes(found, settings):
        add("api.unauthenticated_writes", endpoint.path)
    for finding in body:
        if finding.tool_code == "blocking-call-in-async":
            add("api.blocking_calls_in_async", finding.path)
        elif finding.tool_code == "query-in-loop":
            add("api.n_plus_one_queries", finding.path)
    return tuple(
        Measure(name=name, value=float(value), path=path)
        for (name, path), value in sorted(counts.items())
    )


def _finding_order(finding: RawFinding) -> tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.column, finding.tool_code)
