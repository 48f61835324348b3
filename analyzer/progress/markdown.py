"""The progress report as Markdown, through ``templates/progress.md.j2`` and the same
environment as the roadmap: strict (an undefined name is an error), every string escaped
unless marked safe, overridable one file at a time with ``--template-dir``.

Everything from the reports (titles, messages, paths, file names) stays a plain ``str`` so
the environment escapes it; only text built here from numbers and our own words is safe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from markupsafe import Markup

from analyzer import __version__
from analyzer.model import SEVERITIES
from analyzer.progress.compare import display_name
from analyzer.progress.outcome import (
    BurndownPoint,
    MetricProgress,
    Progress,
    RecommendationProgress,
    ScheduleProgress,
)
from analyzer.progress.schedule import WORKDAYS_PER_WEEK
from analyzer.render.markdown import make_environment
from analyzer.render.numbers import format_number

TEMPLATE: Final = "progress.md.j2"
WORST_SHOWN: Final = 10
RETURNING_SHOWN: Final = 10
STATUS_ICONS: Final = {
    "done": "✅",
    "in progress": "🔄",
    "not started": "⏳",
    "not measurable": "⚪",
    "complete": "✅",
}


def render_progress_markdown(progress: Progress, template_dir: Path | None = None) -> str:
    environment = make_environment(template_dir)
    text = environment.get_template(TEMPLATE).render(**progress_context(progress))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def progress_context(progress: Progress) -> dict[str, Any]:
    plan, now = progress.plan, progress.now
    debt = progress.new_debt
    return {
        "project": display_name(progress),
        "tool_version": __version__,
        "as_of": progress.today.isoformat(),
        "plan": _reference(plan.source, plan.commit),
        "plan_date": progress.schedule.start.isoformat() if progress.schedule.start else "",
        "dated_by": progress.schedule.dated_by or "",
        "now": _reference(now.source, now.commit),
        "now_complete": now.scan_complete,
        "between": [_reference(s.source, s.commit) for s in progress.between],
        "counts": progress.counts,
        "totals": _totals(progress),
        "recommendations": [
            _recommendation(number, rec)
            for number, rec in enumerate(progress.recommendations, start=1)
        ],
        "phases": [
            {
                "name": phase.name,
                "weeks": _weeks(phase.first_week, phase.last_week),
                "done": phase.done,
                "measurable": phase.measurable,
                "status": phase.status,
                "icon": STATUS_ICONS.get(phase.status, ""),
                "late": phase.due and phase.status != "complete",
            }
            for phase in progress.phases
        ],
        "schedule": _schedule(progress.schedule, progress.recommendations),
        "metrics": [_metric(m) for m in progress.metrics if _shown(m)],
        "unmeasured": [m.name for m in progress.metrics if not _shown(m)],
        "debt": {
            "total": len(debt.findings),
            "by_severity": _by_severity(item.finding.severity for item in debt.findings),
            "groups": debt.groups,
            "worst": [
                {"finding": item.finding, "kind": item.kind, "old_line": item.line_was_there}
                for item in debt.findings[:WORST_SHOWN]
            ],
            "more": max(0, len(debt.findings) - WORST_SHOWN),
            "on_old_lines": debt.on_old_lines,
            "returning": debt.returning[:RETURNING_SHOWN],
            "returning_more": max(0, len(debt.returning) - RETURNING_SHOWN),
            "unsuppressed": len(debt.unsuppressed),
        },
        "burndown": _burndown(progress.burndown),
    }


def _by_severity(severities: Iterable[str]) -> str:
    counts = Counter(severities)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])


def _reference(source: str, commit: str | None) -> dict[str, str]:
    return {"source": source, "commit": (commit or "")[:12]}


def _totals(progress: Progress) -> dict[str, Any]:
    hours = progress.hours
    return {
        "recommendations": len(progress.recommendations),
        "done": len(progress.with_status("done")),
        "in_progress": len(progress.with_status("in progress")),
        "not_started": len(progress.with_status("not started")),
        "not_measurable": len(progress.with_status("not measurable")),
        "hours": format_number(round(hours, 1)),
        "hours_left": format_number(round(progress.hours_left, 1)),
        "share_left": _percent(progress.hours_left / hours) if hours else "0%",
        "phases": len(progress.phases),
        "phases_complete": sum(1 for p in progress.phases if p.status == "complete"),
    }


def _recommendation(number: int, rec: RecommendationProgress) -> dict[str, Any]:
    counts = rec.counts
    return {
        "number": number,
        "id": rec.id,
        "title": rec.title,
        "priority": rec.priority,
        "status": rec.status,
        "icon": STATUS_ICONS.get(rec.status, ""),
        "closed": counts.closed,
        "total": counts.total,
        "share": _percent(rec.share_done) if counts.total else "—",
        "moved": counts.moved,
        "unverified": counts.unverified,
        "suppressed": counts.suppressed,
        "unedited": counts.fixed_unedited,
        "hours": format_number(round(rec.hours, 1)),
        "hours_left": format_number(round(rec.hours_left, 1)),
        "weeks": _weeks(rec.start_week, rec.end_week) if rec.scheduled else "backlog",
        "late": rec.due and rec.status != "done",
    }


def _weeks(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "—"
    return f"week {first}" if first == last else f"weeks {first}-{last}"


def _schedule(
    schedule: ScheduleProgress, recommendations: Sequence[RecommendationProgress]
) -> dict[str, Any]:
    numbers = {rec.id: number for number, rec in enumerate(recommendations, start=1)}
    headline, basis = schedule_words(schedule)
    return {
        "status": schedule.status,
        "headline": Markup(headline),
        "basis": Markup(basis),
        "note": schedule.note,
        "overdue": number_ranges(sorted(numbers[rec_id] for rec_id in schedule.overdue)),
    }


def number_ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] -> [(1, 3), (5, 5)]: forty overdue pull requests read as one range."""
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def schedule_words(schedule: ScheduleProgress) -> tuple[str, str]:
    """("Behind by 1.2 weeks", "10 of 34.4 scheduled hours done after ..."): built only from
    numbers and dates, so safe as Markdown."""
    if schedule.status == "unknown":
        return "Not known", schedule.note
    done = format_number(round(schedule.hours_done, 1))
    weeks = format_number(round((schedule.elapsed_days or 0) / WORKDAYS_PER_WEEK, 1))
    planned = format_number(round(schedule.planned_hours, 1))
    expected = format_number(round(schedule.planned_hours_done or 0.0, 1))
    everything = "all " if expected == planned else ""
    basis = (
        f"{done} of {planned} scheduled hours done after {weeks} working weeks; "
        f"the plan expected {everything}{expected} by now"
    )
    if schedule.status == "complete":
        return "Complete: every scheduled pull request is done", basis
    if schedule.status == "on schedule":
        return "On schedule", basis
    ahead = abs(schedule.weeks_ahead or 0.0)
    amount = f"{format_number(ahead)} week{'' if ahead == 1 else 's'}"
    return f"{schedule.status.capitalize()} by {amount}", basis


def _shown(metric: MetricProgress) -> bool:
    return metric.measured != "neither"


def _metric(metric: MetricProgress) -> dict[str, Any]:
    return {
        "name": metric.name,
        "unit": metric.unit,
        "baseline": _value(metric.baseline),
        "now": _value(metric.now),
        "target": _value(metric.target),
        "movement": Markup(metric_movement(metric)),
        "note": metric.note,
    }


def metric_movement(metric: MetricProgress) -> str:
    """``↓ better, 40% of the way``: the arrow is the direction of change, the word whether
    that is the way the metric should go, the share how far toward the target."""
    if metric.baseline is None or metric.now is None:
        return "—"
    arrow = "→" if metric.now == metric.baseline else "↑" if metric.now > metric.baseline else "↓"
    words = [arrow]
    if metric.change is not None:
        words.append(metric.change)
    text = " ".join(words)
    if metric.share is not None:
        text += f", {_percent(metric.share)} of the way"
    return text


def _value(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def _percent(share: float) -> str:
    return f"{round(share * 100):,}%"


def _burndown(points: Sequence[BurndownPoint]) -> dict[str, Any]:
    planned = [p.planned_remaining_hours for p in points]
    highest = max([p.remaining_hours for p in points] + [v for v in planned if v is not None])
    return {
        "points": [
            {
                "label": point.label,
                "source": point.source,
                "commit": (point.commit or "")[:12],
                "hours": format_number(point.remaining_hours),
                "planned": _value(point.planned_remaining_hours),
                "all": format_number(point.remaining_hours_all),
                "open": point.open_findings,
                "findings": point.findings,
            }
            for point in points
        ],
        # Mermaid's xychart: labels are our own (dates, "report 2"), values numbers.
        "x_axis": Markup(", ".join(f'"{_axis_label(p.label)}"' for p in points)),
        "y_max": format_number(max(1.0, round(highest + 0.5))).replace(",", ""),
        "actual": Markup(", ".join(str(p.remaining_hours) for p in points)),
        "planned": Markup(", ".join(str(v) for v in planned))
        if all(v is not None for v in planned)
        else "",
        "charted": len(points) >= 2 and highest > 0,
    }


def _axis_label(label: str) -> str:
    return re.sub(r"[^0-9A-Za-z -]", "", label)
