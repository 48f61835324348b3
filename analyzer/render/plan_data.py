"""Recommendations and the roadmap as plain data, for the JSON export."""

from __future__ import annotations

from typing import Any

from analyzer.group import Recommendation
from analyzer.plan import Roadmap, with_roadmap
from analyzer.report import Report
from analyzer.success import SuccessMetric


def planned(report: Report) -> Report:
    """The report with its roadmap, planned with the bundled defaults if nobody planned it."""
    return report if report.roadmap is not None else with_roadmap(report)


def recommendation_to_dict(rec: Recommendation) -> dict[str, Any]:
    return {
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "priority": rec.priority,
        "effort": {"hours": rec.effort.hours, "size": rec.effort.size},
        "risk": {"level": rec.risk.level, "reasons": [reason.text for reason in rec.risk.reasons]},
        "review_time": rec.review_time.label,
        "depends_on": list(rec.depends_on),
        "finding_ids": [f.fingerprint for f in rec.findings],
        "files": list(rec.files),
    }


def metric_to_dict(metric: SuccessMetric) -> dict[str, Any]:
    return {
        "id": metric.id,
        "name": metric.name,
        "baseline": metric.baseline,
        "target": metric.target,
        "unit": metric.unit,
        "method": metric.method,
        "not_measured_reason": metric.not_measured_reason,
    }


def roadmap_to_dict(roadmap: Roadmap) -> dict[str, Any]:
    return {
        "phases": [
            {
                "name": phase.name,
                "weeks": {"first": phase.first_week, "last": phase.last_week},
                "recommendation_ids": list(phase.recommendation_ids),
            }
            for phase in roadmap.phases
        ],
        "total_weeks": roadmap.total_weeks,
        "metrics": [metric_to_dict(metric) for metric in roadmap.metrics],
    }


def plan_sections(report: Report) -> dict[str, Any]:
    """The ``recommendations`` and ``roadmap`` members of the JSON export."""
    full = planned(report)
    assert full.roadmap is not None
    return {
        "recommendations": [recommendation_to_dict(rec) for rec in full.recommendations],
        "roadmap": roadmap_to_dict(full.roadmap),
    }
