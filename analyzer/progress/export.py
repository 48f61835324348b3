"""The progress outcome as plain data: the JSON export (``analyzer/schema/progress.schema.json``)
and what the Markdown and the terminal summary are drawn from."""

from __future__ import annotations

from datetime import date
from typing import Any

from analyzer import __version__
from analyzer.progress.outcome import (
    BurndownPoint,
    FindingCounts,
    MetricProgress,
    PhaseProgress,
    Progress,
    RecommendationProgress,
    ScheduleProgress,
)
from analyzer.progress.snapshot import PastFinding, Snapshot
from analyzer.render.encode import dump_json

PROGRESS_SCHEMA_VERSION = "1.0"


def build_progress(progress: Progress) -> dict[str, Any]:
    return {
        "schema_version": PROGRESS_SCHEMA_VERSION,
        "tool": {"name": "repo-roadmap", "version": __version__},
        "as_of": progress.today.isoformat(),
        "plan": report_reference(progress.plan),
        "between": [report_reference(snapshot) for snapshot in progress.between],
        "now": {**report_reference(progress.now), "scan_complete": progress.now.scan_complete},
        "summary": _summary(progress),
        "recommendations": [_recommendation(rec) for rec in progress.recommendations],
        "phases": [_phase(phase) for phase in progress.phases],
        "schedule": _schedule(progress.schedule),
        "metrics": [_metric(metric) for metric in progress.metrics],
        "new_debt": {
            "groups": [
                {"kind": group.kind, "severity": group.severity, "count": group.count}
                for group in progress.new_debt.groups
            ],
            "findings": [
                {
                    **finding_to_dict(item.finding),
                    "kind": item.kind,
                    "line_was_there": item.line_was_there,
                }
                for item in progress.new_debt.findings
            ],
            "lines_checked": progress.new_debt.lines_checked,
            "returning": [finding_to_dict(f) for f in progress.new_debt.returning],
            "unsuppressed": [finding_to_dict(f) for f in progress.new_debt.unsuppressed],
        },
        "burndown": [_point(point) for point in progress.burndown],
    }


def render_progress_json(progress: Progress) -> str:
    return dump_json(build_progress(progress))


def report_reference(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "source": snapshot.source,
        "schema_version": snapshot.schema_version,
        "generated_on": _iso(snapshot.generated_on),
        "root": snapshot.root,
        "name": snapshot.name,
        "commit": snapshot.commit,
    }


def _summary(progress: Progress) -> dict[str, Any]:
    return {
        "recommendations": {
            "done": len(progress.with_status("done")),
            "in_progress": len(progress.with_status("in progress")),
            "not_started": len(progress.with_status("not started")),
            "not_measurable": len(progress.with_status("not measurable")),
        },
        "phases": {
            "complete": sum(1 for phase in progress.phases if phase.status == "complete"),
            "total": len(progress.phases),
        },
        "effort_hours": {"planned": _hours(progress.hours), "left": _hours(progress.hours_left)},
        "findings": counts_to_dict(progress.counts),
        "edits_checked": progress.edits_checked,
        "new_findings": len(progress.new_debt.findings),
        "new_on_old_lines": progress.new_debt.on_old_lines,
        "returning_findings": len(progress.new_debt.returning),
    }


def counts_to_dict(counts: FindingCounts) -> dict[str, int]:
    return {
        "total": counts.total,
        "fixed": counts.fixed,
        "suppressed": counts.suppressed,
        "remaining": counts.remaining,
        "moved": counts.moved,
        "unverified": counts.unverified,
        "fixed_unedited": counts.fixed_unedited,
    }


def _recommendation(rec: RecommendationProgress) -> dict[str, Any]:
    return {
        "id": rec.id,
        "title": rec.title,
        "kind": rec.kind,
        "priority": rec.priority,
        "status": rec.status,
        "findings": counts_to_dict(rec.counts),
        "share_done": round(rec.share_done, 3),
        "hours": _hours(rec.hours),
        "hours_left": _hours(rec.hours_left),
        "scheduled": rec.scheduled,
        "start_week": rec.start_week,
        "end_week": rec.end_week,
        "due": rec.due,
    }


def _phase(phase: PhaseProgress) -> dict[str, Any]:
    return {
        "name": phase.name,
        "weeks": {"first": phase.first_week, "last": phase.last_week},
        "recommendation_ids": list(phase.recommendation_ids),
        "done": phase.done,
        "measurable": phase.measurable,
        "status": phase.status,
        "due": phase.due,
    }


def _schedule(schedule: ScheduleProgress) -> dict[str, Any]:
    return {
        "status": schedule.status,
        "started": _iso(schedule.start),
        "dated_by": schedule.dated_by,
        "elapsed_working_days": schedule.elapsed_days,
        "plan_working_days": schedule.plan_days,
        "planned_hours": _hours(schedule.planned_hours),
        "planned_hours_done": _optional_hours(schedule.planned_hours_done),
        "hours_done": _hours(schedule.hours_done),
        "weeks_ahead": schedule.weeks_ahead,
        "overdue": list(schedule.overdue),
        "note": schedule.note,
    }


def _metric(metric: MetricProgress) -> dict[str, Any]:
    return {
        "id": metric.id,
        "name": metric.name,
        "unit": metric.unit,
        "baseline": metric.baseline,
        "now": metric.now,
        "target": metric.target,
        "comparison": metric.comparison,
        "share": metric.share,
        "change": metric.change,
        "measured": metric.measured,
        "note": metric.note,
    }


def _point(point: BurndownPoint) -> dict[str, Any]:
    return {
        "label": point.label,
        "source": point.source,
        "date": _iso(point.date),
        "commit": point.commit,
        "remaining_hours": point.remaining_hours,
        "remaining_hours_all": point.remaining_hours_all,
        "planned_remaining_hours": point.planned_remaining_hours,
        "open_findings": point.open_findings,
        "findings": point.findings,
    }


def finding_to_dict(finding: PastFinding) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "tool": finding.tool,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "symbol": finding.symbol,
    }


def _hours(value: float) -> float:
    return round(value, 2) + 0.0


def _optional_hours(value: float | None) -> float | None:
    return None if value is None else _hours(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
