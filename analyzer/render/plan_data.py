"""Recommendations, the roadmap and the hotspots as plain data, for the JSON export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from analyzer.planning.group import Recommendation
from analyzer.planning.metrics.success import SuccessMetric
from analyzer.planning.roadmap import Roadmap
from analyzer.planning.schedule import ScheduledWork
from analyzer.report import Report, planned


def recommendation_to_dict(rec: Recommendation, work: ScheduledWork | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "priority": rec.priority,
        "priority_reason": rec.priority_reason,
        "value": rec.value,
        "effort": {"hours": rec.effort.hours, "size": rec.effort.size},
        "risk": {"level": rec.risk.level, "reasons": [reason.text for reason in rec.risk.reasons]},
        "review_time": rec.review_time.label,
        "changed_lines": rec.changed_lines,
        "depends_on": [dependency.id for dependency in rec.depends_on],
        "dependencies": [asdict(dependency) for dependency in rec.depends_on],
        "finding_ids": [f.fingerprint for f in rec.findings],
        "root_causes": [
            {"joined_by": cause.joined_by, "finding_ids": [f.fingerprint for f in cause.findings]}
            for cause in rec.root_causes
            if cause.sites > 1
        ],
        "files": list(rec.files),
        "scheduled": work is not None,
    }
    if work is not None:
        data["start_week"] = work.start_week
        data["end_week"] = work.end_week
    if rec.oversized:
        data["oversized"] = rec.oversized
    if rec.gated_rules:
        data["gated_rules"] = list(rec.gated_rules)
    return data


def metric_to_dict(metric: SuccessMetric) -> dict[str, Any]:
    return {
        "id": metric.id,
        "name": metric.name,
        "baseline": metric.baseline,
        "target": metric.target,
        "comparison": metric.comparison,
        "planned": metric.planned,
        "reached": metric.reached,
        "applicable": metric.applicable,
        "unit": metric.unit,
        "method": metric.method,
        "not_measured_reason": metric.not_measured_reason,
    }


def roadmap_to_dict(roadmap: Roadmap) -> dict[str, Any]:
    history = roadmap.history
    return {
        "phases": [
            {
                "name": phase.name,
                "weeks": {"first": phase.first_week, "last": phase.last_week},
                "recommendation_ids": list(phase.recommendation_ids),
            }
            for phase in roadmap.phases
        ],
        "horizon_weeks": roadmap.settings.horizon_weeks,
        "total_weeks": roadmap.total_weeks,
        "backlog": list(roadmap.backlog),
        "history": {
            "available": bool(history and history.available),
            "note": history.note if history is not None else "not read",
            "commits": history.commits if history is not None else 0,
            "since": history.since if history is not None else None,
            "until": history.until if history is not None else None,
        },
        "hotspot_moves": [asdict(move) for move in roadmap.moves],
        "metrics": [metric_to_dict(metric) for metric in roadmap.metrics],
    }


def plan_sections(report: Report) -> dict[str, Any]:
    """The ``recommendations``, ``roadmap`` and ``hotspots`` members of the JSON export."""
    full = planned(report)
    roadmap = full.roadmap
    assert roadmap is not None
    work = {item.recommendation_id: item for phase in roadmap.phases for item in phase.work}
    return {
        "recommendations": [
            recommendation_to_dict(rec, work.get(rec.id)) for rec in full.recommendations
        ],
        "roadmap": roadmap_to_dict(roadmap),
        "hotspots": [asdict(hotspot) for hotspot in roadmap.hotspots],
    }
