"""Each recommendation of the plan, seen from a later report: done, in progress, not started."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from analyzer.progress.outcome import (
    FindingCounts,
    FindingState,
    RecommendationProgress,
    RecommendationStatus,
)
from analyzer.progress.schedule import WORKDAYS_PER_WEEK
from analyzer.progress.snapshot import PlannedRecommendation, Snapshot


def recommendation_progress(
    plan: Snapshot,
    states: Mapping[str, FindingState],
    elapsed: int | None,
    unedited: Collection[str] = (),
) -> tuple[RecommendationProgress, ...]:
    """``unedited``: fingerprints of fixed findings whose file was not edited."""
    return tuple(_recommendation(rec, states, elapsed, unedited) for rec in plan.recommendations)


def _recommendation(
    rec: PlannedRecommendation,
    states: Mapping[str, FindingState],
    elapsed: int | None,
    unedited: Collection[str],
) -> RecommendationProgress:
    counts = count_states(rec.finding_ids, states, unedited)
    status = _status(counts)
    left = rec.hours * counts.open / counts.total if counts.total else rec.hours
    return RecommendationProgress(
        id=rec.id,
        title=rec.title,
        kind=rec.kind,
        priority=rec.priority,
        status=status,
        counts=counts,
        hours=rec.hours,
        hours_left=round(left, 2),
        start_week=rec.start_week,
        end_week=rec.end_week,
        due=is_due(rec.end_week, elapsed),
    )


def _status(counts: FindingCounts) -> RecommendationStatus:
    if counts.total == 0:
        return "not measurable"
    if counts.open == 0:
        return "done"
    return "not started" if counts.closed == 0 else "in progress"


def count_states(
    fingerprints: Iterable[str], states: Mapping[str, FindingState], unedited: Collection[str] = ()
) -> FindingCounts:
    """How many of the findings are in each state (ids the plan does not list are left out)."""
    listed = [fp for fp in fingerprints if fp in states]
    found = Counter(states[fp] for fp in listed)
    return FindingCounts(
        total=sum(found.values()),
        fixed=found["fixed"],
        suppressed=found["suppressed"],
        remaining=found["remaining"],
        moved=found["moved"],
        unverified=found["unverified"],
        fixed_unedited=sum(1 for fp in listed if fp in unedited and states[fp] == "fixed"),
    )


def is_due(last_week: int | None, elapsed: int | None) -> bool:
    """The week is over after ``elapsed`` working days."""
    if last_week is None or elapsed is None:
        return False
    return last_week * WORKDAYS_PER_WEEK <= elapsed
