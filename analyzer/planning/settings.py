"""The numbers the planner works with: team capacity, review budget and rate, size bounds.

Defaults come from ``rules/planning.toml``; a project overrides the team and review
numbers in ``[tool.roadmap.plan]`` of its pyproject.toml (``plan_settings_from_table``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from analyzer.resources import rules_dir
from analyzer.rules import RuleError
from analyzer.tables import TableReader, read_toml


class PlanSettingsError(ValueError):
    """``[tool.roadmap.plan]`` names an unknown key or holds a bad value."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LineEstimate:
    """Estimated changed lines for one finding: ``base + per_unit * details[detail]``."""

    base: float
    per_unit: float = 0.0
    detail: str | None = None

    def lines(self, details: Mapping[str, object]) -> float:
        value = details.get(self.detail) if self.detail else None
        units = (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
        )
        return self.base + self.per_unit * max(units, 0.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangedLinesTable:
    default: LineEstimate
    categories: Mapping[str, LineEstimate]
    rules: tuple[tuple[str, LineEstimate], ...]

    def lookup(self, rule_id: str, category: str) -> LineEstimate:
        for pattern, estimate in self.rules:
            if rule_matches(pattern, rule_id):
                return estimate
        return self.categories.get(category, self.default)


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskThresholds:
    many_modules: int
    low_maintainability: float
    maintainability_measure: str
    complexity_category: str
    tested_coverage_percent: float
    coverage_measure: str
    uncertain_share: float


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanSettings:
    developers: int
    hours_per_week: float
    review_budget_lines: int
    review_rate_lines_per_hour: tuple[float, float]  # (slow, fast)
    review_overhead_minutes: float
    small_max_hours: float
    medium_max_hours: float
    changed_lines: ChangedLinesTable
    risk: RiskThresholds


def rule_matches(pattern: str, rule_id: str) -> bool:
    """An exact rule id, or a prefix ending in ``*``."""
    if pattern.endswith("*"):
        return rule_id.startswith(pattern[:-1])
    return pattern == rule_id


@cache
def default_plan_settings() -> PlanSettings:
    return load_plan_settings(rules_dir() / "planning.toml")


def load_plan_settings(path: Path) -> PlanSettings:
    document = TableReader.of(read_toml(path, RuleError), str(path), RuleError)
    document.only({"team", "review", "effort", "changed_lines", "risk"})
    team = document.table("team").only({"developers", "hours_per_week"})
    review = document.table("review").only(
        {"budget_lines", "rate_lines_per_hour", "overhead_minutes"}
    )
    effort = document.table("effort").only({"small_max_hours", "medium_max_hours"})
    small = effort.number("small_max_hours")
    medium = effort.number("medium_max_hours", minimum=small)
    return PlanSettings(
        developers=team.integer("developers", minimum=1),
        hours_per_week=team.number("hours_per_week", minimum=1),
        review_budget_lines=review.integer("budget_lines", minimum=1),
        review_rate_lines_per_hour=_rates(review, "rate_lines_per_hour"),
        review_overhead_minutes=review.number("overhead_minutes", 0),
        small_max_hours=small,
        medium_max_hours=medium,
        changed_lines=_changed_lines(document.table("changed_lines")),
        risk=_risk(document.table("risk")),
    )


def plan_settings_from_table(
    table: Mapping[str, Any], base: PlanSettings | None = None
) -> PlanSettings:
    """Apply a ``[tool.roadmap.plan]`` table (developers, hours_per_week,
    review_budget_lines, review_rate_lines_per_hour) to ``base`` (the bundled defaults)."""
    settings = base or default_plan_settings()
    reader = TableReader.of(dict(table), "tool.roadmap.plan", PlanSettingsError)
    reader.only(
        {"developers", "hours_per_week", "review_budget_lines", "review_rate_lines_per_hour"}
    )
    updates: dict[str, Any] = {}
    if "developers" in table:
        updates["developers"] = reader.integer("developers", minimum=1)
    if "hours_per_week" in table:
        hours = reader.number("hours_per_week", minimum=1)
        if hours > 168:
            raise reader.fail("hours_per_week", "cannot exceed the 168 hours of a week")
        updates["hours_per_week"] = hours
    if "review_budget_lines" in table:
        updates["review_budget_lines"] = reader.integer("review_budget_lines", minimum=1)
    if "review_rate_lines_per_hour" in table:
        updates["review_rate_lines_per_hour"] = _rates(reader, "review_rate_lines_per_hour")
    return replace(settings, **updates)


def _rates(reader: TableReader, key: str) -> tuple[float, float]:
    value = reader.values.get(key)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
        or value[0] > value[1]
    ):
        raise reader.fail(
            key, "must be [slow, fast]: two positive numbers of lines an hour, slow first"
        )
    return (float(value[0]), float(value[1]))


def _estimate(reader: TableReader) -> LineEstimate:
    reader.only({"base", "per_unit", "detail"})
    detail = reader.values.get("detail")
    return LineEstimate(
        base=reader.number("base", 0),
        per_unit=reader.number("per_unit", 0),
        detail=reader.string("detail") if detail is not None else None,
    )


def _changed_lines(reader: TableReader) -> ChangedLinesTable:
    reader.only({"default", "categories", "rules"})
    categories, rules = reader.table("categories"), reader.table("rules")
    return ChangedLinesTable(
        default=_estimate(reader.table("default")),
        categories={name: _estimate(categories.table(name)) for name in sorted(categories.values)},
        rules=tuple((name, _estimate(rules.table(name))) for name in rules.values),
    )


def _risk(reader: TableReader) -> RiskThresholds:
    reader.only(
        {
            "many_modules", "low_maintainability", "maintainability_measure", "complexity_category",
            "tested_coverage_percent", "coverage_measure", "uncertain_share",
        }
    )  # fmt: skip
    return RiskThresholds(
        many_modules=reader.integer("many_modules", minimum=1),
        low_maintainability=reader.number("low_maintainability"),
        maintainability_measure=reader.string("maintainability_measure"),
        complexity_category=reader.string("complexity_category"),
        tested_coverage_percent=reader.number("tested_coverage_percent"),
        coverage_measure=reader.string("coverage_measure"),
        uncertain_share=reader.number("uncertain_share"),
    )
