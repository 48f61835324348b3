"""Ahead of or behind the schedule: what the plan expected done by today, and what is done.

The plan's week 1 starts on the day the earlier report is dated, and its weeks are working
weeks (five days, weekends excluded, as its Gantt chart draws them). A scheduled pull
request is expected to burn its hours evenly from the start of its first week to the end
of its last. The hours done are each recommendation's hours times the share of its
findings closed. The time the plan expected to reach those hours, less the time elapsed,
is how far ahead (or behind) the team is: the earned-schedule measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from analyzer.progress.outcome import (
    DatedBy,
    RecommendationProgress,
    ScheduleProgress,
    ScheduleStatus,
)

WORKDAYS_PER_WEEK: Final = 5
# Within half a week of the plan either way is on schedule: the plan counts in weeks.
ON_SCHEDULE_DAYS: Final = 2.5
_EPSILON: Final = 1e-9


def working_days(start: date, end: date) -> int:
    """Monday-to-Friday days from ``start`` (included) to ``end`` (excluded); 0 if none."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    extra = sum(1 for n in range(rest) if (start + timedelta(days=n)).weekday() < 5)
    return weeks * WORKDAYS_PER_WEEK + extra


def planned_hours_by(recommendations: Sequence[RecommendationProgress], day: float) -> float:
    """Hours the schedule expected done after ``day`` working days."""
    total = 0.0
    for rec in recommendations:
        if rec.start_week is None or rec.end_week is None:
            continue
        first = (rec.start_week - 1) * WORKDAYS_PER_WEEK
        span = (rec.end_week - rec.start_week + 1) * WORKDAYS_PER_WEEK
        total += rec.hours * min(1.0, max(0.0, (day - first) / span))
    return total


def plan_days(recommendations: Sequence[RecommendationProgress]) -> int:
    ends = [rec.end_week for rec in recommendations if rec.end_week is not None]
    return max(ends, default=0) * WORKDAYS_PER_WEEK


def hours_done(recommendations: Sequence[RecommendationProgress]) -> float:
    return sum(rec.hours - rec.hours_left for rec in recommendations if rec.scheduled)


def compare_schedule(
    recommendations: Sequence[RecommendationProgress],
    start: date | None,
    dated_by: DatedBy | None,
    today: date,
) -> ScheduleProgress:
    scheduled = [rec for rec in recommendations if rec.scheduled]
    days = plan_days(scheduled)
    planned_total = sum(rec.hours for rec in scheduled)
    done = hours_done(scheduled)
    if not scheduled or start is None:
        note = (
            "the earlier report schedules no pull request"
            if not scheduled
            else "the earlier report carries no date (schema before 1.2): "
            "pass --since YYYY-MM-DD, the day its plan started"
        )
        return ScheduleProgress(
            status="unknown",
            start=start,
            dated_by=dated_by,
            elapsed_days=None,
            plan_days=days,
            planned_hours=planned_total,
            planned_hours_done=None,
            hours_done=done,
            weeks_ahead=None,
            overdue=(),
            note=note,
        )
    elapsed = working_days(start, today)
    earned = earned_day(scheduled, done, days)
    ahead = earned - elapsed
    return ScheduleProgress(
        status=_status(scheduled, ahead),
        start=start,
        dated_by=dated_by,
        elapsed_days=elapsed,
        plan_days=days,
        planned_hours=planned_total,
        planned_hours_done=planned_hours_by(scheduled, elapsed),
        hours_done=done,
        weeks_ahead=round(ahead / WORKDAYS_PER_WEEK, 1),
        overdue=tuple(rec.id for rec in scheduled if rec.due and rec.status != "done"),
        note="" if today >= start else f"the plan starts on {start.isoformat()}",
    )


def _status(scheduled: Sequence[RecommendationProgress], ahead: float) -> ScheduleStatus:
    if all(rec.status in ("done", "not measurable") for rec in scheduled):
        return "complete"
    if ahead >= ON_SCHEDULE_DAYS:
        return "ahead"
    if ahead <= -ON_SCHEDULE_DAYS:
        return "behind"
    return "on schedule"


def earned_day(recommendations: Sequence[RecommendationProgress], done: float, days: int) -> float:
    """The working day by which the schedule expected ``done`` hours: the first day the
    planned hours reach it, interpolated within the day."""
    if done <= _EPSILON:
        return 0.0
    previous = 0.0
    for day in range(1, days + 1):
        planned = planned_hours_by(recommendations, day)
        if planned + _EPSILON >= done:
            step = planned - previous
            return day - 1 + ((done - previous) / step if step > 0 else 1.0)
        previous = planned
    return float(days)
