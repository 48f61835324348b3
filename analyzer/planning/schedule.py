"""Schedule the pull requests: priority, then value per hour, into the horizon; the rest waits.

- Order: priority first; within a priority, value per hour of work (WSJF), except that
  refactoring pull requests keep the places of their priority in hotspot-score order.
- Each pull request goes to the developer who can start it first, no earlier than the end
  of its dependencies and no earlier than the start of any higher-priority pull request,
  so a lower-priority pull request never starts before a higher-priority one.
- What would end past the horizon, depends on something unscheduled, or is long-tail work
  past the ratchet, goes to the backlog.
- Phases are the priorities present in the schedule, in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import PRIORITIES
from analyzer.planning.settings import PlanSettings

WORKDAYS_PER_WEEK = 5
# A phase is named after at most this many themes of its pull requests.
_THEMES_NAMED = 3
_PRIORITY_NAMES = {
    "critical": "Critical fixes",
    "high": "High priority",
    "medium": "Medium priority",
    "low": "Low priority",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduledWork:
    """One pull request on one developer's timeline, in working days from the start."""

    recommendation_id: str
    developer: int
    start_day: int
    days: int

    @property
    def end_day(self) -> int:
        return self.start_day + self.days

    @property
    def start_week(self) -> int:
        return self.start_day // WORKDAYS_PER_WEEK + 1

    @property
    def end_week(self) -> int:
        return max(self.start_week, (self.end_day - 1) // WORKDAYS_PER_WEEK + 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class Phase:
    number: int
    name: str
    start_day: int
    end_day: int
    recommendation_ids: tuple[str, ...]
    work: tuple[ScheduledWork, ...]

    @property
    def first_week(self) -> int:
        return self.start_day // WORKDAYS_PER_WEEK + 1

    @property
    def last_week(self) -> int:
        return max(self.first_week, (self.end_day - 1) // WORKDAYS_PER_WEEK + 1)

    @property
    def weeks_label(self) -> str:
        first, last = self.first_week, self.last_week
        return f"Week {first}" if first == last else f"Week {first}-{last}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Schedule:
    # Scheduled pull requests in schedule order, then the backlog in the same order.
    recommendations: tuple[Recommendation, ...]
    phases: tuple[Phase, ...]
    backlog: tuple[str, ...]
    total_days: int

    @property
    def total_weeks(self) -> int:
        return math.ceil(self.total_days / WORKDAYS_PER_WEEK)


def order_recommendations(
    recommendations: Sequence[Recommendation], refactoring_kinds: frozenset[str]
) -> list[Recommendation]:
    """Priority, then value per hour; long-tail work last; refactoring by hotspot score."""

    def key(rec: Recommendation) -> tuple[bool, int, float, str]:
        return (rec.long_tail, PRIORITIES.index(rec.priority), -rec.wsjf, rec.id)

    ordered = sorted(recommendations, key=key)
    tiers: dict[tuple[bool, str], list[int]] = {}
    for index, rec in enumerate(ordered):
        if rec.kind in refactoring_kinds:
            tiers.setdefault((rec.long_tail, rec.priority), []).append(index)
    for places in tiers.values():
        hottest = sorted(
            (ordered[i] for i in places), key=lambda r: (-r.hotspot_score, -r.wsjf, r.id)
        )
        for place, rec in zip(places, hottest, strict=True):
            ordered[place] = rec
    return ordered


def working_days(rec: Recommendation, settings: PlanSettings) -> int:
    """Fixing plus reviewing (the slow end of the review range), at one developer's pace."""
    hours = rec.effort.hours + rec.review_time.high_minutes / 60
    per_day = settings.hours_per_week / WORKDAYS_PER_WEEK
    return max(1, math.ceil(round(hours / per_day, 6)))


def schedule(
    ordered: Sequence[Recommendation], settings: PlanSettings, themes: Mapping[str, str]
) -> Schedule:
    """List scheduling of ``ordered`` (dependencies point backwards in it) into the horizon."""
    horizon = settings.horizon_weeks * WORKDAYS_PER_WEEK
    free = [0] * settings.developers
    ends: dict[str, int] = {}
    latest_start = [0] * len(PRIORITIES)  # the latest start so far, per priority
    work: list[ScheduledWork] = []
    scheduled: list[Recommendation] = []
    backlog: list[Recommendation] = []
    for rec in ordered:
        if rec.long_tail or any(dep.id not in ends for dep in rec.depends_on):
            backlog.append(rec)
            continue
        tier = PRIORITIES.index(rec.priority)
        ready = max([ends[dep.id] for dep in rec.depends_on] + latest_start[:tier] + [0])
        developer = min(range(len(free)), key=lambda d: (max(free[d], ready), d))
        start, days = max(free[developer], ready), working_days(rec, settings)
        if start + days > horizon:
            backlog.append(rec)
            continue
        free[developer] = ends[rec.id] = start + days
        latest_start[tier] = max(latest_start[tier], start)
        work.append(
            ScheduledWork(
                recommendation_id=rec.id, developer=developer + 1, start_day=start, days=days
            )
        )
        scheduled.append(rec)
    return Schedule(
        recommendations=(*scheduled, *backlog),
        phases=_phases(scheduled, work, themes),
        backlog=tuple(rec.id for rec in backlog),
        total_days=max(ends.values(), default=0),
    )


def _phases(
    scheduled: Sequence[Recommendation],
    work: Sequence[ScheduledWork],
    themes: Mapping[str, str],
) -> tuple[Phase, ...]:
    by_id = {item.recommendation_id: item for item in work}
    tiers: dict[str, list[Recommendation]] = {}
    for rec in scheduled:
        tiers.setdefault(rec.priority, []).append(rec)
    phases = []
    for number, priority in enumerate(p for p in PRIORITIES if p in tiers):
        members = tiers[priority]
        items = tuple(by_id[rec.id] for rec in members)
        phases.append(
            Phase(
                number=number + 1,
                name=f"{_PRIORITY_NAMES[priority]}: {_themes(members, themes)}",
                start_day=min(item.start_day for item in items),
                end_day=max(item.end_day for item in items),
                recommendation_ids=tuple(rec.id for rec in members),
                work=items,
            )
        )
    return tuple(phases)


def _themes(members: Sequence[Recommendation], themes: Mapping[str, str]) -> str:
    names = list(dict.fromkeys(themes[rec.kind] for rec in members))
    if len(names) > _THEMES_NAMED:
        names = [*names[: _THEMES_NAMED - 1], f"{len(names) - _THEMES_NAMED + 1} more"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
