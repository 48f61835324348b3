"""Small JSON reports, shaped like ``roadmap scan -f json`` writes them, for progress tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from analyzer.progress.read import snapshot_of
from analyzer.progress.snapshot import Snapshot

ANALYZERS = (("security", "bandit"), ("dead-code", "vulture"), ("typing", "mypy"))


def finding(
    fingerprint: str,
    rule_id: str = "bandit.B602",
    *,
    severity: str = "high",
    path: str = "app/run.py",
    line: int = 10,
    symbol: str | None = "run",
    message: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    tool = rule_id.split(".", 1)[0]
    return {
        "fingerprint": fingerprint,
        "rule_id": rule_id,
        "tool": tool,
        "tool_code": rule_id.split(".", 1)[-1],
        "category": category or {"bandit": "security", "vulture": "dead-code"}.get(tool, tool),
        "severity": severity,
        "confidence": "high",
        "message": message if message is not None else f"{rule_id} at {fingerprint}",
        "path": path,
        "line": line,
        "column": 1,
        "end_line": None,
        "end_column": None,
        "symbol": symbol,
        "cwe": None,
        "details": {},
        "baseline_status": None,
        "suppressed_by": None,
        "about": "line",
    }


def recommendation(
    rec_id: str,
    finding_ids: Sequence[str],
    *,
    hours: float = 4.0,
    weeks: tuple[int, int] | None = (1, 1),
    kind: str = "security",
    priority: str = "high",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rec_id,
        "kind": kind,
        "title": f"Fix {rec_id}",
        "priority": priority,
        "priority_reason": "because",
        "value": 1.0,
        "effort": {"hours": hours, "size": "Small"},
        "risk": {"level": "low", "reasons": ["small"]},
        "review_time": "20-35 minutes",
        "changed_lines": 10,
        "depends_on": [],
        "dependencies": [],
        "finding_ids": list(finding_ids),
        "root_causes": [],
        "files": [],
        "scheduled": weeks is not None,
    }
    if weeks is not None:
        data["start_week"], data["end_week"] = weeks
    return data


def metric(
    metric_id: str,
    baseline: float | None,
    target: float | None,
    *,
    comparison: str | None = "at_most",
    name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": metric_id,
        "name": name or metric_id.replace("_", " ").capitalize(),
        "baseline": baseline,
        "target": target,
        "planned": target,
        "reached": True,
        "applicable": True,
        "unit": "findings",
        "method": "counted",
        "not_measured_reason": None if baseline is not None else "No coverage file.",
    }
    if comparison is not None:
        data["comparison"] = comparison
    return data


def report(
    findings: Iterable[dict[str, Any]] = (),
    recommendations: Iterable[dict[str, Any]] = (),
    *,
    generated_on: str | None = "2025-01-06",
    metrics: Iterable[dict[str, Any]] = (),
    name: str | None = "shop",
    root: str = "shop",
    commit: str | None = None,
    suppressed: Iterable[dict[str, Any]] = (),
    analyzers: Iterable[tuple[str, str]] = ANALYZERS,
    failed: Iterable[str] = (),
    errors: Iterable[str] = (),
    phases: Iterable[dict[str, Any]] | None = None,
    version: str = "1.2",
) -> dict[str, Any]:
    recs = list(recommendations)
    failing = set(failed)
    data: dict[str, Any] = {
        "schema_version": version,
        "tool": {"name": "repo-roadmap", "version": "0.0"},
        "target": {
            "root": root,
            "name": name,
            "files_scanned": 3,
            "lines": 100,
            "project_file": "README.md",
            "git": {"commit": commit, "branch": None},
        },
        "scan_complete": not failing and not list(errors),
        "analyzers": [
            {
                "name": analyzer,
                "tool_version": "1.0",
                "status": "failed" if analyzer in failing else "ok",
                "duration_s": 0.0,
                "files": 3,
                "error": "boom" if analyzer in failing else None,
                "tool": tool,
            }
            for analyzer, tool in analyzers
        ],
        "findings": list(findings),
        "suppressed": [{**item, "suppressed_by": "inline"} for item in suppressed],
        "endpoints": [],
        "metrics": {"project": {}, "findings_by_severity": {}, "findings_by_category": {}},
        "errors": [{"path": path, "analyzer": "security", "reason": "bad"} for path in errors],
        "baseline": None,
        "recommendations": recs,
        "roadmap": {
            "phases": list(phases) if phases is not None else _phases(recs),
            "horizon_weeks": 12,
            "total_weeks": max((r.get("end_week", 0) for r in recs), default=0),
            "backlog": [r["id"] for r in recs if not r["scheduled"]],
            "history": {"available": False, "note": "", "commits": 0, "since": None, "until": None},
            "hotspot_moves": [],
            "metrics": list(metrics),
        },
        "hotspots": [],
    }
    if generated_on is not None:
        data["generated_on"] = generated_on
    return data


def _phases(recs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    by_priority: dict[str, list[dict[str, Any]]] = {}
    for rec in recs:
        if rec["scheduled"]:
            by_priority.setdefault(rec["priority"], []).append(rec)
    return [
        {
            "name": f"{priority.capitalize()} priority",
            "weeks": {
                "first": min(r["start_week"] for r in members),
                "last": max(r["end_week"] for r in members),
            },
            "recommendation_ids": [r["id"] for r in members],
        }
        for priority, members in by_priority.items()
    ]


def snapshot(data: dict[str, Any], source: str = "report.json") -> Snapshot:
    return snapshot_of(data, source)
