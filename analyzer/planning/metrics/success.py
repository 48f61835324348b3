"""Success metrics: each promise of the roadmap, its baseline, and the target the plan reaches.

The baseline is what this scan measured; nothing is invented (a metric the scan cannot
measure says why and how to measure it). The target is what the scheduled pull requests
bring the metric to: the baseline less what they fix. The aspiration in
``rules/metrics.toml`` (zero high-severity findings, 95% annotated functions) stays the
target only where the plan reaches it; otherwise the target is the plan's own number, and
the note says what the rest needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from analyzer.model import AnalyzerRun, Finding, ScanResult
from analyzer.planning.metrics.aggregate import aggregate
from analyzer.planning.metrics.specs import (
    Comparison,
    MetricSpec,
    SelectionKey,
    selection_key,
    tidy,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class SuccessMetric:
    id: str
    name: str
    group: str
    baseline: float | None
    target: float | None
    comparison: Comparison
    target_note: str
    unit: str
    method: str
    not_measured_reason: str | None
    # Measured outside the code (audits, latency): listed apart.
    outside_code: bool = False
    # False when the project has nothing to measure (no Dockerfile, no async endpoint).
    applicable: bool = True
    absent_reason: str = ""
    # What the scheduled plan brings it to, and whether that reaches the aspiration.
    planned: float | None = None
    reached: bool = False


def measure_success_metrics(
    result: ScanResult, specs: Sequence[MetricSpec], fixed: Sequence[Finding] = ()
) -> tuple[SuccessMetric, ...]:
    """Each metric's baseline, and its target once the ``fixed`` findings are fixed."""
    project: dict[str, float | int | None] = dict(
        aggregate(result.measures, result.findings).project
    )
    project["async_endpoints"] = sum(1 for e in result.endpoints if e.is_async)
    project["endpoints_found"] = len(result.endpoints)
    ran = {run.name: run for run in result.analyzers}
    # Metrics count findings by kind: thousands of findings share a few hundred kinds.
    kinds = _Kinds(
        found=Counter(selection_key(f) for f in result.findings),
        fixed=Counter(selection_key(f) for f in fixed),
    )
    return tuple(_measure(spec, result, project, ran, kinds) for spec in specs)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Kinds:
    """How many findings, and fixed findings, there are of each selection key."""

    found: Counter[SelectionKey]
    fixed: Counter[SelectionKey]

    def count(self, counts: Counter[SelectionKey], wanted: Callable[[SelectionKey], bool]) -> int:
        return sum(n for key, n in counts.items() if wanted(key))


def _measure(
    spec: MetricSpec,
    result: ScanResult,
    project: Mapping[str, float | int | None],
    ran: Mapping[str, AnalyzerRun],
    kinds: _Kinds,
) -> SuccessMetric:
    baseline, problem = _baseline(spec, result, project, ran, kinds)
    aspiration = spec.target.resolve(baseline)
    moved = kinds.count(kinds.fixed, spec.moved_by_kind)
    if spec.moves == "when_all_fixed":
        everything = moved == kinds.count(kinds.found, spec.moved_by_kind)
        planned = aspiration if moved and everything else baseline
    else:
        planned = _planned(spec, baseline, moved, project, result)
    target, note, reached = _target(spec, baseline, aspiration, planned)
    applies = spec.applies_if is None or bool(project.get(spec.applies_if))
    return SuccessMetric(
        id=spec.id,
        name=spec.name,
        group=spec.group,
        baseline=baseline,
        target=target,
        comparison=spec.target.comparison,
        target_note=note,
        unit=spec.unit,
        method=spec.method,
        not_measured_reason=None if baseline is not None else f"{problem} {spec.how_to_measure}",
        outside_code=spec.source == "outside-the-code",
        applicable=applies,
        absent_reason="" if applies else spec.absent_reason,
        planned=planned,
        reached=reached,
    )


def _planned(
    spec: MetricSpec,
    baseline: float | None,
    moved: int,
    project: Mapping[str, float | int | None],
    result: ScanResult,
) -> float | None:
    if baseline is None or moved == 0:
        return baseline
    if spec.source == "share":
        whole = sum(m.value for m in result.measures if m.name == spec.whole)
        return tidy(min(100.0, baseline + moved / whole * 100)) if whole else baseline
    if spec.whole_key is not None:
        whole_value = project.get(spec.whole_key)
        if not whole_value:
            return baseline
        return tidy(min(100.0, baseline + moved / float(whole_value) * 100))
    return tidy(max(0.0, baseline - moved))


def _target(
    spec: MetricSpec, baseline: float | None, aspiration: float | None, planned: float | None
) -> tuple[float | None, str, bool]:
    """(target, note, whether the plan reaches the aspiration)."""
    note = spec.target.note
    if baseline is None or planned is None or aspiration is None:
        return aspiration, note, False
    at_most = spec.target.comparison == "at_most"
    if spec.target.value is None and spec.target.change_percent is None:
        return baseline, note, False  # keep: no regression
    if (planned <= aspiration) if at_most else (planned >= aspiration):
        return planned, note if planned == aspiration else "", True
    goal = _number(aspiration)
    if planned == baseline:
        return baseline, f"no regression; {goal} is beyond this plan", False
    return planned, f"this plan; {goal} needs the backlog", False


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _baseline(
    spec: MetricSpec,
    result: ScanResult,
    project: Mapping[str, float | int | None],
    ran: Mapping[str, AnalyzerRun],
    kinds: _Kinds,
) -> tuple[float | None, str]:
    if spec.source == "outside-the-code":
        return None, "Reading the code cannot measure this."
    for name in spec.analyzers:
        run = ran.get(name)
        if run is None:
            return None, f"The {name} analyzer is not installed."
        if run.status != "ok":
            return (
                None,
                f"The {name} analyzer did not run ({run.status}: {run.error or 'no reason'}).",
            )
    if spec.source == "findings":
        return float(kinds.count(kinds.found, spec.selects_kind)), ""
    if spec.source == "project":
        value = project.get(spec.key or "")
        return (None, "The scan produced no data for it.") if value is None else (tidy(value), "")
    if spec.source == "share":
        return _share(spec, result)
    return _from_measures(spec, result)


def _share(spec: MetricSpec, result: ScanResult) -> tuple[float | None, str]:
    """``part`` as a percentage of ``whole``, each summed over all its measures."""
    whole = [m.value for m in result.measures if m.name == spec.whole]
    if not whole:
        return None, f"No analyzer reported the measure {spec.whole}."
    if sum(whole) == 0:
        return None, f"The measure {spec.whole} is zero, so there is nothing to take a share of."
    part = sum(m.value for m in result.measures if m.name == spec.part)
    return tidy(part / sum(whole) * 100), ""


def _from_measures(spec: MetricSpec, result: ScanResult) -> tuple[float | None, str]:
    values = [m for m in result.measures if m.name == spec.measure]
    if not values:
        return None, f"No analyzer reported the measure {spec.measure}."
    if spec.reduce == "sum":
        # A project-wide 0 ("checked, none found") plus any per-file counts.
        return tidy(sum(m.value for m in values)), ""
    whole = [m.value for m in values if m.path is None]
    if whole:
        return tidy(whole[0]), ""
    return tidy(sum(m.value for m in values) / len(values)), ""
