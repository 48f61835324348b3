"""Success metrics: each promise of the roadmap with the baseline this scan measured.

The metrics are data (``rules/metrics.toml``): a metric counts findings, reads a project
metric, or reads a measure an analyzer reports. A metric the scan cannot measure keeps
``baseline = None`` and says why and how to measure it; nothing is invented.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analyzer.metrics import aggregate
from analyzer.model import AnalyzerRun, Finding, ScanResult
from analyzer.plan_settings import rule_matches
from analyzer.resources import rules_dir
from analyzer.rules import RuleError
from analyzer.tables import TableReader, read_toml

Comparison = Literal["at_most", "at_least"]
Source = Literal["findings", "project", "measure", "share", "outside-the-code"]
_SOURCES: tuple[Source, ...] = ("findings", "project", "measure", "share", "outside-the-code")
_KEYS = {
    "name", "group", "unit", "source", "analyzers", "categories", "rules", "severities",
    "confidences", "key", "measure", "part", "whole", "reduce", "target", "method",
    "how_to_measure",
}  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricTarget:
    """``at_most``/``at_least`` an absolute value, a change relative to the baseline, or keep it."""

    comparison: Comparison
    value: float | None = None
    change_percent: float | None = None

    def resolve(self, baseline: float | None) -> float | None:
        if self.value is not None:
            return self.value
        if baseline is None:
            return None
        factor = 1 + (self.change_percent or 0.0) / 100
        return _tidy(
            math.floor(baseline * factor) if self.comparison == "at_most" else baseline * factor
        )

    @property
    def note(self) -> str:
        if self.value is not None:
            return ""
        if self.change_percent:
            return f"{self.change_percent:+g}%".replace("-", "\N{MINUS SIGN}")
        return "no regression"


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricSpec:
    id: str
    name: str
    group: str
    unit: str
    source: Source
    analyzers: tuple[str, ...]
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    severities: tuple[str, ...]
    confidences: tuple[str, ...]
    key: str | None
    measure: str | None
    part: str | None
    whole: str | None
    reduce: Literal["sum", "mean"]
    target: MetricTarget
    method: str
    how_to_measure: str

    def selects(self, finding: Finding) -> bool:
        return (
            (not self.categories or finding.category in self.categories)
            and (not self.rules or any(rule_matches(p, finding.rule_id) for p in self.rules))
            and (not self.severities or finding.severity in self.severities)
            and (not self.confidences or finding.confidence in self.confidences)
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


def load_metric_specs(extra_dirs: Iterable[Path] = ()) -> tuple[MetricSpec, ...]:
    specs: dict[str, MetricSpec] = {}
    for directory in (rules_dir(), *extra_dirs):
        path = directory / "metrics.toml"
        if path.is_file():
            document = TableReader.of(read_toml(path, RuleError), str(path), RuleError)
            metrics = document.only({"metrics"}).table("metrics")
            for metric_id in metrics.values:
                specs[metric_id] = _parse(metric_id, metrics.table(metric_id))
    return tuple(specs.values())


def _parse(metric_id: str, reader: TableReader) -> MetricSpec:
    reader.only(_KEYS)
    source = reader.choice("source", _SOURCES)
    return MetricSpec(
        id=metric_id,
        name=reader.string("name"),
        group=reader.string("group"),
        unit=reader.string("unit"),
        source=source,
        analyzers=reader.strings("analyzers"),
        categories=reader.strings("categories"),
        rules=reader.strings("rules"),
        severities=reader.strings("severities"),
        confidences=reader.strings("confidences"),
        key=reader.string("key") if source == "project" else None,
        measure=reader.string("measure") if source == "measure" else None,
        part=reader.string("part") if source == "share" else None,
        whole=reader.string("whole") if source == "share" else None,
        reduce=reader.choice("reduce", ("sum", "mean"), "sum"),
        target=_target(reader.table("target")),
        method=reader.string("method"),
        how_to_measure=reader.string("how_to_measure"),
    )


def _target(reader: TableReader) -> MetricTarget:
    reader.only({"at_most", "at_least", "change_percent", "keep"})
    if "at_most" in reader.values:
        return MetricTarget(comparison="at_most", value=reader.number("at_most"))
    if "at_least" in reader.values:
        return MetricTarget(comparison="at_least", value=reader.number("at_least"))
    if "change_percent" in reader.values:
        change = reader.number("change_percent", minimum=-100)
        return MetricTarget(
            comparison="at_most" if change < 0 else "at_least", change_percent=change
        )
    if reader.flag("keep"):
        return MetricTarget(comparison="at_least")
    raise reader.fail("target", "needs one of at_most, at_least, change_percent or keep = true")


def measure_success_metrics(
    result: ScanResult, specs: Sequence[MetricSpec]
) -> tuple[SuccessMetric, ...]:
    project = aggregate(result.measures, result.findings).project
    ran = {run.name: run for run in result.analyzers}
    return tuple(_measure(spec, result, project, ran) for spec in specs)


def _measure(
    spec: MetricSpec,
    result: ScanResult,
    project: Mapping[str, float | int | None],
    ran: Mapping[str, AnalyzerRun],
) -> SuccessMetric:
    baseline, problem = _baseline(spec, result, project, ran)
    return SuccessMetric(
        id=spec.id,
        name=spec.name,
        group=spec.group,
        baseline=baseline,
        target=spec.target.resolve(baseline),
        comparison=spec.target.comparison,
        target_note=spec.target.note,
        unit=spec.unit,
        method=spec.method,
        not_measured_reason=None if baseline is not None else f"{problem} {spec.how_to_measure}",
    )


def _baseline(
    spec: MetricSpec,
    result: ScanResult,
    project: Mapping[str, float | int | None],
    ran: Mapping[str, AnalyzerRun],
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
        return float(sum(1 for f in result.findings if spec.selects(f))), ""
    if spec.source == "project":
        value = project.get(spec.key or "")
        return (None, "The scan produced no data for it.") if value is None else (_tidy(value), "")
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
    return _tidy(part / sum(whole) * 100), ""


def _from_measures(spec: MetricSpec, result: ScanResult) -> tuple[float | None, str]:
    values = [m for m in result.measures if m.name == spec.measure]
    if not values:
        return None, f"No analyzer reported the measure {spec.measure}."
    if spec.reduce == "sum":
        # A project-wide 0 ("checked, none found") plus any per-file counts.
        return _tidy(sum(m.value for m in values)), ""
    whole = [m.value for m in values if m.path is None]
    if whole:
        return _tidy(whole[0]), ""
    return _tidy(sum(m.value for m in values) / len(values)), ""


def _tidy(value: float) -> float:
    return float(round(value, 1))
