"""What one pull request costs: changed lines, effort and review time.

A root cause is one fix: its most expensive finding costs in full (the rule's remediation
minutes and estimated changed lines); every further site costs the small per-site amounts
of ``[root_causes]`` in planning.toml.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from analyzer.model import Finding
from analyzer.planning.rootcause import RootCause
from analyzer.planning.settings import PlanSettings
from analyzer.rules import RuleBook

Size = Literal["Small", "Medium", "Large"]


@dataclass(frozen=True, kw_only=True, slots=True)
class EffortEstimate:
    hours: float
    size: Size


@dataclass(frozen=True, kw_only=True, slots=True)
class ReviewTime:
    low_minutes: int
    high_minutes: int

    @property
    def label(self) -> str:
        """``"20-35 minutes"`` up to an hour and a half, ``"2-3 hours"`` beyond."""
        if self.high_minutes <= 90:
            low, high = _round_down(self.low_minutes, 5), _round_up(self.high_minutes, 5)
            return f"about {high} minutes" if low >= high else f"{low}-{high} minutes"
        low_h, high_h = max(1, self.low_minutes // 60), math.ceil(self.high_minutes / 60)
        return f"about {high_h} hours" if low_h >= high_h else f"{low_h}-{high_h} hours"


def changed_lines(finding: Finding, settings: PlanSettings) -> float:
    estimate = settings.changed_lines.lookup(finding.rule_id, finding.category)
    return estimate.lines(dict(finding.details))


def finding_minutes(finding: Finding, rulebook: RuleBook) -> float:
    """The rule's remediation minutes: ``base + per_unit * details["units"]``."""
    return rulebook.lookup(finding.tool, finding.tool_code).effort.minutes(_units(finding))


def cause_lines(cause: RootCause, settings: PlanSettings) -> float:
    first = max(changed_lines(f, settings) for f in cause.findings)
    return first + (cause.sites - 1) * settings.root_causes.per_site_lines


def cause_minutes(cause: RootCause, rulebook: RuleBook, settings: PlanSettings) -> float:
    first = max(finding_minutes(f, rulebook) for f in cause.findings)
    per_site = min(settings.root_causes.per_site_minutes, first)
    return first + (cause.sites - 1) * per_site


def estimate_effort(
    causes: Sequence[RootCause],
    rulebook: RuleBook,
    settings: PlanSettings,
    extra_minutes: float = 0.0,
) -> EffortEstimate:
    minutes = extra_minutes + sum(cause_minutes(c, rulebook, settings) for c in causes)
    return effort_of(minutes, settings)


def effort_of(minutes: float, settings: PlanSettings) -> EffortEstimate:
    """Minutes of work as hours and a size."""
    hours = round(minutes / 60, 1)
    size: Size = "Small" if hours <= settings.small_max_hours else "Medium"
    if hours > settings.medium_max_hours:
        size = "Large"
    return EffortEstimate(hours=hours, size=size)


def _units(finding: Finding) -> float:
    value = dict(finding.details).get("units")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def estimate_review_time(lines: float, settings: PlanSettings) -> ReviewTime:
    """Overhead plus the changed lines at the fast (low bound) and slow (high bound) rate."""
    slow, fast = settings.review_rate_lines_per_hour
    overhead = settings.review_overhead_minutes
    return ReviewTime(
        low_minutes=math.floor(overhead + lines / fast * 60),
        high_minutes=math.ceil(overhead + lines / slow * 60),
    )


def _round_down(value: int, step: int) -> int:
    return max(step, value // step * step)


def _round_up(value: int, step: int) -> int:
    return max(step, math.ceil(value / step) * step)
