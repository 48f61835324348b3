"""The analyzer's two phases (see the package's docstring), kept out of ``__init__`` so
that loading the entry point imports neither libcst nor the model builders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analyzer.analyzers.api.endpoints import collect_endpoints
from analyzer.analyzers.api.facts import Found, facts_from_json, facts_to_json
from analyzer.analyzers.api.memo import FactsMemo
from analyzer.analyzers.api.names import source_roots
from analyzer.analyzers.api.passes import first_pass, second_round
from analyzer.analyzers.api.prefilter import build_prefilter
from analyzer.analyzers.api.project import build_project
from analyzer.analyzers.api.rules_endpoint import endpoint_findings, unauthenticated_writes
from analyzer.analyzers.api.settings import ApiSettings, bundled_settings, parse_settings
from analyzer.discover import matches_any
from analyzer.model import AnalysisOutput, FileError, FileFacts, Measure, RawFinding, SourceFile
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import RuleError

BODY_MEASURES = {
    "blocking-call-in-async": "api.blocking_calls_in_async",
    "query-in-loop": "api.n_plus_one_queries",
}

BODY_MEASURES = {
    "blocking-call-in-async": "api.blocking_calls_in_async",
    "query-in-loop": "api.n_plus_one_queries",
}


def first_phase(request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
    """The per-file phase: body findings, plus declarations as facts for ``combine``."""
    settings = _settings(request)
    if isinstance(settings, AnalyzerFailure):
        return settings
    prefilter = build_prefilter(settings)
    findings: list[RawFinding] = []
    errors: list[FileError] = []
    facts: list[FileFacts] = []
    for source in _application_files(request, settings):
        result = first_pass(request.root, source, settings, prefilter)
        if isinstance(result, FileError):
            errors.append(result)
        elif result is not None:
            findings.extend(result.facts.findings)
            if result.declarations:
                facts.append(FileFacts(path=source.path, data=facts_to_json(result.facts)))
    return AnalysisOutput(
        findings=tuple(findings),
        measures=body_measures(findings),
        errors=tuple(errors),
        facts=tuple(facts),
    )


def join(
    request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
) -> AnalysisOutput | AnalyzerFailure:
    """The join: endpoints, endpoint findings and their measures."""
    settings = _settings(request)
    if isinstance(settings, AnalyzerFailure):
        return settings
    try:
        facts = [facts_from_json(f.data) for o in outputs for f in o.facts]
    except (KeyError, TypeError, ValueError) as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    failed = {e.path for o in outputs for e in o.errors}
    memo = FactsMemo(request.cache_dir, request.root, settings)
    added, errors = second_round(
        request.root,
        tuple(_application_files(request, settings)),
        facts,
        settings,
        build_prefilter(settings),
        failed,
        memo,
    )
    memo.save()
    facts.extend(added)
    roots = source_roots(f.path for f in request.files)
    project = build_project(facts, settings, roots)
    found = collect_endpoints(project, [r for m in facts for r in m.routes])
    body = [f for m in added for f in m.findings]
    return AnalysisOutput(
        findings=(*body, *endpoint_findings(found)),
        measures=(
            *body_measures(body),
            *endpoint_measures(found),
            *_measured_zeros(bool(found)),
        ),
        errors=tuple(errors),
        endpoints=tuple(f.endpoint for f in found),
    )


def _settings(request: AnalysisRequest) -> ApiSettings | AnalyzerFailure:
    try:
        return parse_settings(request.options) if request.options else bundled_settings()
    except RuleError as exc:
        return AnalyzerFailure(reason=str(exc))


def _application_files(request: AnalysisRequest, settings: ApiSettings) -> list[SourceFile]:
    """The files that make up the application; test files' routes are test scaffolding."""
    return [f for f in request.files if not matches_any(f.path, settings.skip_files)]


def _measured_zeros(has_endpoints: bool) -> tuple[Measure, ...]:
    """Project-level zeros, so "none found" reads as a measured 0, not as "not measured".

    The body rules were checked whenever the analyzer ran; the endpoint counts only mean
    something when there are endpoints at all.
    """
    names = [*BODY_MEASURES.values()]
    if has_endpoints:
        names += ["api.endpoints", "api.documented_endpoints", "api.unauthenticated_writes"]
    return tuple(Measure(name=name, value=0.0) for name in names)


def body_measures(findings: Iterable[RawFinding]) -> tuple[Measure, ...]:
    """Per-file counts of the body rules; metrics.py sums them into project totals."""
    return _count(
        (BODY_MEASURES[f.tool_code], f.path) for f in findings if f.tool_code in BODY_MEASURES
    )


def endpoint_measures(found: list[Found]) -> tuple[Measure, ...]:
    """Per-file counts of endpoints, documented ones and unauthenticated writes."""
    pairs = [("api.endpoints", f.endpoint.path) for f in found]
    pairs += [("api.documented_endpoints", f.endpoint.path) for f in found if f.endpoint.documented]
    pairs += [("api.unauthenticated_writes", e.path) for e in unauthenticated_writes(found)]
    return _count(pairs)


def _count(pairs: Iterable[tuple[str, str]]) -> tuple[Measure, ...]:
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    return tuple(
        Measure(name=name, value=float(value), path=path)
        for (name, path), value in sorted(counts.items())
    )
