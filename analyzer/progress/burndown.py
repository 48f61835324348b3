"""Remaining effort over time: the plan's hours left in each report given, and what the
schedule expected to be left on the same dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from analyzer.progress.match import match_findings
from analyzer.progress.outcome import BurndownPoint, FindingState, RecommendationProgress
from analyzer.progress.recommendations import recommendation_progress
from analyzer.progress.schedule import planned_hours_by, working_days
from analyzer.progress.snapshot import Snapshot


def burndown(
    plan: Snapshot,
    later: Sequence[Snapshot],
    start: date | None,
    as_of: date,
    grades: Mapping[str, str] | None = None,
) -> tuple[BurndownPoint, ...]:
    """One point for the plan, one for each later report; the last is dated ``as_of`` when
    it carries no date of its own (the scan made now)."""
    untouched: dict[str, FindingState] = {f.fingerprint: "remaining" for f in plan.findings}
    points = [_point(plan, plan, untouched, start, plan.generated_on or start, 1)]
    for number, snapshot in enumerate(later, start=2):
        when = snapshot.generated_on
        if when is None and number == len(later) + 1:
            when = as_of
        states = match_findings(plan, snapshot, grades).states
        points.append(_point(plan, snapshot, states, start, when, number))
    return tuple(points)


def _point(
    plan: Snapshot,
    snapshot: Snapshot,
    states: Mapping[str, FindingState],
    start: date | None,
    when: date | None,
    number: int,
) -> BurndownPoint:
    recs = recommendation_progress(plan, states, None)
    scheduled = [rec for rec in recs if rec.scheduled]
    return BurndownPoint(
        label=when.isoformat() if when is not None else f"report {number}",
        source=snapshot.source,
        date=when,
        commit=snapshot.commit,
        remaining_hours=_left(scheduled),
        remaining_hours_all=_left(recs),
        planned_remaining_hours=_planned_left(scheduled, start, when),
        open_findings=sum(1 for state in states.values() if state not in ("fixed", "suppressed")),
        findings=len(snapshot.findings),
    )


def _left(recs: Sequence[RecommendationProgress]) -> float:
    return round(sum(rec.hours_left for rec in recs), 1)


def _planned_left(
    scheduled: Sequence[RecommendationProgress], start: date | None, when: date | None
) -> float | None:
    if start is None or when is None or not scheduled:
        return None
    total = sum(rec.hours for rec in scheduled)
    return round(max(0.0, total - planned_hours_by(scheduled, working_days(start, when))), 1)
