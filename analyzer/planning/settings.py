"""The numbers the planner works with, from ``rules/planning.toml``.

Team capacity, the horizon, the review budget and rate, size bounds, how a finding's value
is weighed (severity, confidence, where it sits, how often its file changes), how findings
collapse into root causes, and how far back the git history is read. A project overrides
the team, horizon and review numbers in ``[tool.roadmap.plan]`` of its pyproject.toml
(``plan_settings_from_table``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from analyzer.model import CONFIDENCES, SEVERITIES
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
    # Estimates already looked up, by (rule, category): a memo, not state.
    _found: dict[tuple[str, str], LineEstimate] = field(
        default_factory=dict, compare=False, repr=False
    )

    def lookup(self, rule_id: str, category: str) -> LineEstimate:
        key = (rule_id, category)
        if key not in self._found:
            self._found[key] = next(
                (estimate for pattern, estimate in self.rules if rule_matches(pattern, rule_id)),
                self.categories.get(category, self.default),
            )
        return self._found[key]


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
class PathClass:
    """Where a finding sits: request-handling code, tests, migrations, examples, scripts."""

    name: str
    # How a pull request holding only such files is described ("test code").
    label: str
    patterns: tuple[str, ...]
    weight: float
    # False for code that never reaches production (tests, examples): a pull request
    # touching only such files is low risk and carries no deployment advice.
    ships: bool
    # Files holding an HTTP endpoint the API analyzer found belong to this class too.
    endpoint_files: bool = False
    # The highest priority a pull request of only such files reaches (tests, vendored
    # code); None for code the project owns and runs.
    max_priority: str | None = None

    @property
    def secondary(self) -> bool:
        return self.max_priority is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueWeights:
    severity: Mapping[str, float]
    confidence: Mapping[str, float]
    # A finding in the most-changed file counts (1 + hotspot_weight) times; others in
    # proportion to their file's commits.
    hotspot_weight: float
    # A pull request touching one of this many top hotspots is raised one priority step.
    hotspot_priority_top: int
    # A file with at least this share of the most-changed file's commits changes often: the
    # ratchet fixes its long-tail findings now.
    hot_file_share: float
    # Findings of these severities are urgent: kept apart from routine clean-ups.
    urgent_severities: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class RootCauseSettings:
    """Findings that are one fix: same rule and normalized message, or the same line."""

    by_message: bool
    by_line: bool
    # Rules never merged with others on their line (they flag a whole definition, or add
    # something rather than change the line).
    not_by_line: tuple[str, ...]
    # Categories whose findings on one line are one concern (bandit and the frontend
    # analyzer both flagging one template call); other categories merge only with their own.
    line_groups: tuple[tuple[str, ...], ...]
    not_by_message: tuple[str, ...]
    # What each further site of one root cause costs once the fix is known.
    per_site_minutes: float
    per_site_lines: float


@dataclass(frozen=True, kw_only=True, slots=True)
class HistorySettings:
    months: int
    max_commits: int
    timeout_seconds: float
    # How many files' diffs are read to map churn onto functions.
    max_function_files: int
    # Hotspots listed in the Markdown.
    shown: int


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanSettings:
    developers: int
    hours_per_week: float
    horizon_weeks: int
    review_budget_lines: int
    review_rate_lines_per_hour: tuple[float, float]  # (slow, fast)
    review_overhead_minutes: float
    small_max_hours: float
    medium_max_hours: float
    changed_lines: ChangedLinesTable
    risk: RiskThresholds
    value: ValueWeights
    path_classes: tuple[PathClass, ...]
    root_causes: RootCauseSettings
    history: HistorySettings


def rule_matches(pattern: str, rule_id: str) -> bool:
    """An exact rule id, or a prefix ending in ``*``."""
    if pattern.endswith("*"):
        return rule_id.startswith(pattern[:-1])
    return pattern == rule_id


def matches_rules(patterns: tuple[str, ...], rule_id: str) -> bool:
    return any(rule_matches(pattern, rule_id) for pattern in patterns)


@cache
def default_plan_settings() -> PlanSettings:
    return load_plan_settings(rules_dir() / "planning.toml")


_PRIORITY_NAMES = ("critical", "high", "medium", "low")
_SECTIONS = {
    "team", "horizon", "review", "effort", "changed_lines", "risk", "value", "path_classes",
    "root_causes", "history",
}  # fmt: skip


def load_plan_settings(path: Path) -> PlanSettings:
    document = TableReader.of(read_toml(path, RuleError), str(path), RuleError)
    document.only(_SECTIONS)
    team = document.table("team").only({"developers", "hours_per_week"})
    horizon = document.table("horizon").only({"weeks"})
    review = document.table("review").only(
        {"budget_lines", "rate_lines_per_hour", "overhead_minutes"}
    )
    effort = document.table("effort").only({"small_max_hours", "medium_max_hours"})
    small = effort.number("small_max_hours")
    medium = effort.number("medium_max_hours", minimum=small)
    return PlanSettings(
        developers=team.integer("developers", minimum=1),
        hours_per_week=team.number("hours_per_week", minimum=1),
        horizon_weeks=horizon.integer("weeks", minimum=1),
        review_budget_lines=review.integer("budget_lines", minimum=1),
        review_rate_lines_per_hour=_rates(review, "rate_lines_per_hour"),
        review_overhead_minutes=review.number("overhead_minutes", 0),
        small_max_hours=small,
        medium_max_hours=medium,
        changed_lines=_changed_lines(document.table("changed_lines")),
        risk=_risk(document.table("risk")),
        value=_value(document.table("value")),
        path_classes=_path_classes(document.table("path_classes")),
        root_causes=_root_causes(document.table("root_causes")),
        history=_history(document.table("history")),
    )


_PROJECT_KEYS = {
    "developers", "hours_per_week", "horizon_weeks", "review_budget_lines",
    "review_rate_lines_per_hour",
}  # fmt: skip


MAX_DEVELOPERS = 200
MIN_REVIEW_BUDGET = 50
MAX_REVIEW_BUDGET = 100_000


def plan_settings_from_table(
    table: Mapping[str, Any], base: PlanSettings | None = None
) -> PlanSettings:
    """Apply a ``[tool.roadmap.plan]`` table (developers, hours_per_week, horizon_weeks,
    review_budget_lines, review_rate_lines_per_hour) to ``base`` (the bundled defaults)."""
    settings = base or default_plan_settings()
    reader = TableReader.of(dict(table), "tool.roadmap.plan", PlanSettingsError)
    reader.only(_PROJECT_KEYS)
    updates: dict[str, Any] = {}
    if "developers" in table:
        # The scanned project's own configuration sets these: bounded, so no value makes
        # planning take long (a billion developers, a one-line review budget).
        developers = reader.integer("developers", minimum=1)
        if developers > MAX_DEVELOPERS:
            raise reader.fail("developers", f"cannot exceed {MAX_DEVELOPERS}")
        updates["developers"] = developers
    if "hours_per_week" in table:
        hours = reader.number("hours_per_week", minimum=1)
        if hours > 168:
            raise reader.fail("hours_per_week", "cannot exceed the 168 hours of a week")
        updates["hours_per_week"] = hours
    if "horizon_weeks" in table:
        weeks = reader.integer("horizon_weeks", minimum=1)
        if weeks > 260:
            raise reader.fail("horizon_weeks", "cannot exceed 260 (five years)")
        updates["horizon_weeks"] = weeks
    if "review_budget_lines" in table:
        budget = reader.integer("review_budget_lines", minimum=MIN_REVIEW_BUDGET)
        if budget > MAX_REVIEW_BUDGET:
            raise reader.fail("review_budget_lines", f"cannot exceed {MAX_REVIEW_BUDGET:,}")
        updates["review_budget_lines"] = budget
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


def _weights(reader: TableReader, names: tuple[str, ...]) -> dict[str, float]:
    reader.only(set(names))
    return {name: reader.number(name) for name in names}


def _value(reader: TableReader) -> ValueWeights:
    reader.only(
        {
            "severity", "confidence", "hotspot_weight", "hotspot_priority_top", "hot_file_share",
            "urgent_severities",
        }
    )  # fmt: skip
    urgent = reader.strings("urgent_severities")
    if not set(urgent) <= set(SEVERITIES):
        raise reader.fail(
            "urgent_severities", f"must name severities among {', '.join(SEVERITIES)}"
        )
    return ValueWeights(
        severity=_weights(reader.table("severity"), SEVERITIES),
        confidence=_weights(reader.table("confidence"), CONFIDENCES),
        hotspot_weight=reader.number("hotspot_weight"),
        hotspot_priority_top=reader.integer("hotspot_priority_top"),
        hot_file_share=reader.number("hot_file_share"),
        urgent_severities=urgent,
    )


def _path_classes(reader: TableReader) -> tuple[PathClass, ...]:
    classes = []
    for name in reader.values:  # file order: the first class whose patterns match wins
        table = reader.table(name).only(
            {"label", "patterns", "weight", "ships", "endpoint_files", "max_priority"}
        )
        classes.append(
            PathClass(
                name=name,
                label=table.string("label"),
                patterns=table.strings("patterns"),
                weight=table.number("weight"),
                ships=table.flag("ships", default=True),
                endpoint_files=table.flag("endpoint_files"),
                max_priority=(
                    table.choice("max_priority", _PRIORITY_NAMES)
                    if "max_priority" in table.values
                    else None
                ),
            )
        )
    return tuple(classes)


def _root_causes(reader: TableReader) -> RootCauseSettings:
    reader.only(
        {
            "by_message", "by_line", "not_by_line", "not_by_message", "per_site_minutes",
            "per_site_lines", "line_groups",
        }
    )  # fmt: skip
    return RootCauseSettings(
        by_message=reader.flag("by_message", default=True),
        by_line=reader.flag("by_line", default=True),
        not_by_line=reader.strings("not_by_line"),
        line_groups=_line_groups(reader),
        not_by_message=reader.strings("not_by_message"),
        per_site_minutes=reader.number("per_site_minutes"),
        per_site_lines=reader.number("per_site_lines"),
    )


def _line_groups(reader: TableReader) -> tuple[tuple[str, ...], ...]:
    value = reader.values.get("line_groups", [])
    if not isinstance(value, list) or not all(
        isinstance(group, list) and group and all(isinstance(c, str) and c for c in group)
        for group in value
    ):
        raise reader.fail("line_groups", "must be a list of lists of category names")
    return tuple(tuple(group) for group in value)


def _history(reader: TableReader) -> HistorySettings:
    reader.only({"months", "max_commits", "timeout_seconds", "max_function_files", "shown"})
    return HistorySettings(
        months=reader.integer("months", minimum=1),
        max_commits=reader.integer("max_commits", minimum=1),
        timeout_seconds=reader.number("timeout_seconds", minimum=1),
        max_function_files=reader.integer("max_function_files"),
        shown=reader.integer("shown", minimum=1),
    )
