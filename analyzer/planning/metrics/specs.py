"""The success metrics of ``rules/metrics.toml``: what each measures, and what it aims for.

A metric counts findings, reads a project metric, reads a measure an analyzer reports, or a
share of two measures; ``outside-the-code`` ones (audits, latency) are listed apart.
``applies_if`` names a project number that must be above zero for the metric to apply (no
Dockerfile, no image size); ``fixed_by`` names the rules whose scheduled fixes move a
project or measure metric (findings metrics move with the findings they count).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from analyzer.model import Finding
from analyzer.planning.settings import matches_rules
from analyzer.resources import rules_dir
from analyzer.rules import RuleError
from analyzer.tables import TableReader, read_toml

Comparison = Literal["at_most", "at_least"]
Source = Literal["findings", "project", "measure", "share", "outside-the-code"]
_SOURCES: tuple[Source, ...] = ("findings", "project", "measure", "share", "outside-the-code")
_KEYS = {
    "name", "group", "unit", "source", "analyzers", "categories", "rules", "severities",
    "confidences", "key", "measure", "part", "whole", "reduce", "target", "method",
    "how_to_measure", "applies_if", "absent_reason", "fixed_by", "whole_key", "moves",
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
        return tidy(
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
    applies_if: str | None = None
    absent_reason: str = ""
    fixed_by: tuple[str, ...] = ()
    # For a project share (docstring coverage): the project number it is a share of.
    whole_key: str | None = None
    # "per_fix": each fix moves it by one; "when_all_fixed": it reaches the target once
    # every finding of ``fixed_by`` is fixed (a size in megabytes, say).
    moves: Literal["per_fix", "when_all_fixed"] = "per_fix"

    # Answers already given, by (rule, category, severity, confidence): a memo, not state.
    _selected: dict[SelectionKey, bool] = field(default_factory=dict, compare=False, repr=False)

    def selects(self, finding: Finding) -> bool:
        return self.selects_kind(selection_key(finding))

    def selects_kind(self, key: SelectionKey) -> bool:
        """``selects`` for every finding with this (rule, category, severity, confidence)."""
        if key not in self._selected:
            rule_id, category, severity, confidence = key
            self._selected[key] = (
                (not self.categories or category in self.categories)
                and (not self.rules or matches_rules(self.rules, rule_id))
                and (not self.severities or severity in self.severities)
                and (not self.confidences or confidence in self.confidences)
            )
        return self._selected[key]

    def moved_by(self, finding: Finding) -> bool:
        """Whether fixing the finding moves this metric."""
        return self.moved_by_kind(selection_key(finding))

    def moved_by_kind(self, key: SelectionKey) -> bool:
        if self.source == "findings":
            return self.selects_kind(key)
        return bool(self.fixed_by) and matches_rules(self.fixed_by, key[0])


# What decides whether a metric counts a finding: its rule, category, severity, confidence.
SelectionKey = tuple[str, str, str, str]


def selection_key(finding: Finding) -> SelectionKey:
    return (finding.rule_id, finding.category, finding.severity, finding.confidence)


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
    applies_if = reader.string("applies_if") if "applies_if" in reader.values else None
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
        applies_if=applies_if,
        absent_reason=reader.string("absent_reason") if applies_if else "",
        fixed_by=reader.strings("fixed_by"),
        whole_key=reader.string("whole_key") if "whole_key" in reader.values else None,
        moves=reader.choice("moves", ("per_fix", "when_all_fixed"), "per_fix"),
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


def tidy(value: float) -> float:
    return float(round(value, 1))
