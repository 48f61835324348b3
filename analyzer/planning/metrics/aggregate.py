"""Aggregate analyzers' per-file measures and the findings into project metrics."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.model import SEVERITIES, Finding, Measure

# How each per-file measure rolls up to the project: a sum, or a mean over files.
_SUMMED = {
    "raw.loc": "loc",
    "raw.sloc": "sloc",
    "raw.lloc": "lloc",
    "raw.comments": "comment_lines",
    "complexity.functions": "functions",
    "typing.functions": "typed_scope_functions",
    "typing.annotated_functions": "annotated_functions",
    "security.nosec": "nosec_comments",
    "api.endpoints": "endpoints",
    "api.documented_endpoints": "documented_endpoints",
    "api.unauthenticated_writes": "unauthenticated_write_endpoints",
    "api.blocking_calls_in_async": "blocking_calls_in_async",
    "api.n_plus_one_queries": "n_plus_one_queries",
    "frontend.templates": "templates",
    "infrastructure.dockerfiles": "dockerfiles",
    "infrastructure.compose_files": "compose_files",
    "infrastructure.size_findings": "image_size_findings",
    "infrastructure.base_image_mb": "base_image_mb",
    "infrastructure.estimated_image_saving_mb": "estimated_image_saving_mb",
    "testing.statements": "coverage_statements",
    "testing.covered_statements": "coverage_covered_statements",
    "testing.source_modules": "source_modules",
    "testing.untested_modules": "untested_modules",
    "testing.test_files": "test_files",
    "testing.test_lines": "test_lines",
    "testing.code_lines": "code_lines",
    "documentation.public_symbols": "public_symbols",
    "documentation.documented_symbols": "documented_symbols",
    "documentation.readme": "has_readme",
    "documentation.deployment_guide": "has_deployment_guide",
    "documentation.troubleshooting_guide": "has_troubleshooting_guide",
    "documentation.changelog": "has_changelog",
    "documentation.api_docs": "has_api_docs",
}
_AVERAGED = {
    "complexity.mi": "maintainability_index_avg",
    "testing.coverage_percent": "coverage_percent",
    "testing.test_to_code_ratio": "test_to_code_ratio",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ProjectMetrics:
    project: dict[str, float | int | None]
    by_severity: dict[str, int]
    by_category: dict[str, int]
    files: dict[str, dict[str, float]]


def aggregate(measures: Sequence[Measure], findings: Sequence[Finding]) -> ProjectMetrics:
    sums: dict[str, float] = defaultdict(float)
    means: dict[str, list[float]] = defaultdict(list)
    files: dict[str, dict[str, float]] = defaultdict(dict)
    for measure in measures:
        if measure.path is not None:
            files[measure.path][measure.name] = measure.value
        if measure.name in _SUMMED:
            sums[_SUMMED[measure.name]] += measure.value
        elif measure.name in _AVERAGED:
            means[_AVERAGED[measure.name]].append(measure.value)
    project: dict[str, float | int | None] = {
        key: _number(value) for key, value in sorted(sums.items())
    }
    for key, values in sorted(means.items()):
        project[key] = round(sum(values) / len(values), 2) if values else None
    project["annotation_share"] = _share(
        sums.get("annotated_functions"), sums.get("typed_scope_functions")
    )
    project["documented_endpoint_share"] = _share(
        sums.get("documented_endpoints"), sums.get("endpoints")
    )
    project["docstring_coverage"] = _share(
        sums.get("documented_symbols"), sums.get("public_symbols")
    )
    project["findings_total"] = len(findings)
    severities = Counter(f.severity for f in findings)
    categories = Counter(f.category for f in findings)
    return ProjectMetrics(
        project=project,
        by_severity={s: severities.get(s, 0) for s in SEVERITIES},
        by_category=dict(sorted(categories.items())),
        files={path: dict(sorted(values.items())) for path, values in sorted(files.items())},
    )


def _share(part: float | None, whole: float | None) -> float | None:
    if not whole:
        return None
    return round((part or 0) / whole * 100, 1)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)
