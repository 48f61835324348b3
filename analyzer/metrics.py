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
}
_AVERAGED = {"complexity.mi": "maintainability_index_avg"}


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
    project: dict[str, float | int | None] = {key: _number(value) for key, value in sorted(sums.items())}
    for key, values in sorted(means.items()):
        project[key] = round(sum(values) / len(values), 2) if values else None
    project["annotation_share"] = _share(sums.get("annotated_functions"), sums.get("typed_scope_functions"))
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
