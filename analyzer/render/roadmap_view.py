"""Everything the Markdown templates print, computed here so the templates only lay it out.

Target text (messages, paths, symbols) stays plain ``str``: the template environment
escapes it on output. Only text built here from trusted parts is marked safe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import Any

from markupsafe import Markup

from analyzer import __version__
from analyzer.completeness import assess_completeness
from analyzer.model import SEVERITIES, Finding
from analyzer.planning.estimate import ReviewTime
from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import PRIORITIES
from analyzer.planning.metrics.aggregate import aggregate
from analyzer.planning.roadmap import Roadmap
from analyzer.planning.rootcause import RootCause
from analyzer.planning.schedule import ScheduledWork
from analyzer.render.metrics_view import metrics_context
from analyzer.render.numbers import ordinal
from analyzer.render.process_view import backlog_view, kinds_view, mitigation_view, review_view
from analyzer.report import Report
from analyzer.rules import RuleBook, load_rulebook

TOP_FINDINGS = 2
TOP_CAUSES = 2
MOVES_SHOWN = 5
_SAFE_RULE = re.compile(r"^[A-Za-z0-9_.-]+$")
_SUPPRESSION_LABELS = {
    "inline": "inline with `# roadmap: ignore`",
    "rule-disabled": "by disabled rules",
    "path-ignored": "by per-path ignores (by default, asserts, fixture arguments and "
    "test credentials in tests)",
    "whitelisted": "as framework entry points (vulture whitelists and ignored decorators)",
    "below-min-severity": "below `--min-severity`",
}


def build_context(report: Report) -> dict[str, Any]:
    roadmap = report.roadmap
    assert roadmap is not None
    result = report.result
    start = report.generated_on or date.today()
    rulebook = load_rulebook(report.rule_dirs)
    work = {item.recommendation_id: item for phase in roadmap.phases for item in phase.work}
    backlog = frozenset(roadmap.backlog)
    recs = report.recommendations
    scheduled = [rec for rec in recs if rec.id not in backlog]
    numbers = {rec.id: number for number, rec in enumerate(scheduled, start=1)}
    views = {
        rec.id: _recommendation_view(rec, numbers, work[rec.id], rulebook, report)
        for rec in scheduled
    }
    return {
        "project": _project_name(report),
        "root": report.root_label,
        "generated_on": start.isoformat(),
        "tool_version": __version__,
        "commit": (result.target.git_commit or "")[:12],
        "branch": result.target.git_branch or "",
        "files_scanned": result.target.files_scanned,
        "lines": result.target.lines,
        "analyzers": [
            {
                "name": run.name,
                "version": tool_label(run.tool, run.tool_version),
                "status": run.status,
                "error": run.error or "",
            }
            for run in result.analyzers
        ],
        # Files some analyzer could not analyze (the same count every output gives).
        "errors": len(assess_completeness(result).unanalyzed_files),
        "suppressed": len(result.suppressed),
        "suppressed_by": _suppression_counts(result.suppressed),
        "findings_total": len(result.findings),
        "by_severity": [
            {"severity": s, "count": n}
            for s, n in aggregate(result.measures, result.findings).by_severity.items()
            if n
        ],
        "recommendations": list(views.values()),
        "phases": [
            {
                "number": phase.number,
                "name": phase.name,
                "weeks": phase.weeks_label,
                "recs": [views[rec_id] for rec_id in phase.recommendation_ids],
                "work": [
                    {
                        "rec": views[item.recommendation_id],
                        "start": working_day(start, item.start_day).isoformat(),
                        "days": item.days,
                    }
                    for item in phase.work
                ],
            }
            for phase in roadmap.phases
        ],
        "history": _history_view(roadmap, views),
        "kinds": kinds_view(report, scheduled, views),
        "review": review_view(report, scheduled, views),
        "mitigation": mitigation_view(roadmap, scheduled, recs, backlog, views),
        "backlog": backlog_view(report, [rec for rec in recs if rec.id in backlog]),
        "totals": _totals(scheduled, roadmap, recs),
        "settings": roadmap.settings,
        **metrics_context(roadmap.metrics),
    }


def tool_label(tool: str, version: str) -> str:
    """ "bandit 1.9.4"; versions that already name their tool ("repo-roadmap 0.1.0") stay."""
    if not tool or version.startswith(tool) or " " in version:
        return version
    return f"{tool} {version}"


def working_day(start: date, offset: int) -> date:
    """``offset`` working days (Monday-Friday) after the first working day from ``start``."""
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(offset):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def _suppression_counts(suppressed: Sequence[Finding]) -> list[dict[str, Any]]:
    counts = Counter(str(f.suppressed_by or "inline") for f in suppressed)
    return [
        {"count": counts[reason], "label": label}
        for reason, label in _SUPPRESSION_LABELS.items()
        if counts.get(reason)
    ]


def _project_name(report: Report) -> str:
    if report.result.target.name:
        return report.result.target.name
    label = PurePosixPath(report.root_label.replace("\\", "/")).name
    return label or PurePosixPath(report.result.target.root.replace("\\", "/")).name or "project"


def _importance(finding: Finding) -> tuple[int, int, str, int]:
    return (
        SEVERITIES.index(finding.severity),
        ("high", "medium", "low").index(finding.confidence),
        finding.path,
        finding.line,
    )


def _recommendation_view(
    rec: Recommendation,
    numbers: dict[str, int],
    work: ScheduledWork,
    rulebook: RuleBook,
    report: Report,
) -> dict[str, Any]:
    anchors = sorted((cause.lead for cause in rec.root_causes), key=_importance)
    weeks = (
        f"{work.start_week}"
        if work.start_week == work.end_week
        else f"{work.start_week}-{work.end_week}"
    )
    return {
        "number": numbers[rec.id],
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "emoji": rec.emoji,
        "scope": rec.scope,
        "weeks": weeks,
        "priority": rec.priority.capitalize(),
        "priority_reason": rec.priority_reason,
        "effort_size": rec.effort.size,
        "effort_hours": rec.effort.hours,
        "risk": rec.risk.level.capitalize(),
        "risk_level": rec.risk.level,
        "risk_reasons": [r.text for r in rec.risk.reasons if r.factor != "none"],
        "ships": rec.risk.ships,
        "review_time": rec.review_time.label,
        "changed_lines": rec.changed_lines,
        "files": len([path for path in rec.files if path != "."]),
        "finding_count": len(rec.findings),
        "depends_on": [{"number": numbers[dep.id], "reason": dep.reason} for dep in rec.depends_on],
        "after": Markup(", ".join(f"#{numbers[dep.id]}" for dep in rec.depends_on)),
        "causes": [
            _cause_view(cause, rulebook)
            for cause in sorted(rec.root_causes, key=lambda c: (-c.sites, _importance(c.anchor)))
            if cause.sites > 1
        ][:TOP_CAUSES],
        "top_findings": [_finding_view(f) for f in anchors[:TOP_FINDINGS]],
        "oversized": rec.oversized or "",
        "ratchet": _ratchet_view(rec, report) if rec.gated_rules else None,
    }


def _cause_view(cause: RootCause, rulebook: RuleBook) -> dict[str, Any]:
    anchor = cause.anchor
    files = cause.files
    if cause.joined_by == "line":
        rules = sorted({f.rule_id for f in cause.findings})
        return {
            "line": True,
            "count": cause.sites,
            "rules": ", ".join(rules),
            "location": f"{anchor.path}:{anchor.line}",
        }
    return {
        "line": False,
        "sites": cause.sites,
        "message": anchor.message,
        "rule": rulebook.lookup(anchor.tool, anchor.tool_code).title,
        "where": files[0] if len(files) == 1 else f"{len(files)} files",
    }


def _finding_view(finding: Finding) -> dict[str, Any]:
    return {
        # Project-wide findings (a missing document) sit on the root, ".", not on a line.
        "location": "(project)" if finding.path == "." else f"{finding.path}:{finding.line}",
        "message": finding.message,
        "rule_id": finding.rule_id,
        "severity": finding.severity,
    }


def _ratchet_view(rec: Recommendation, report: Report) -> dict[str, Any]:
    """The exact ``[tool.roadmap]`` keys and CI step that keep the gated rules from growing."""
    rules = [rule for rule in rec.gated_rules if _SAFE_RULE.match(rule)]
    quiet = sorted(
        {f.rule_id for f in report.result.findings if f.rule_id in rules and f.severity == "info"}
    )
    lines = ["[tool.roadmap]", 'baseline = ".roadmap-baseline.json"', 'fail_on = "low"']
    if quiet:
        pairs = ", ".join(f'"{rule}" = "low"' for rule in quiet)
        lines.append(f"severity_overrides = {{ {pairs} }}")
    tail = sum(1 for f in report.result.findings if f.rule_id in rules)
    return {
        "config": Markup("\n".join(lines)),
        "quiet": quiet,
        "tail": tail,
    }


def _history_view(roadmap: Roadmap, views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    history = roadmap.history
    shown = roadmap.settings.history.shown
    ranks = {move.recommendation_id: move for move in roadmap.moves}
    return {
        "available": bool(history and history.available),
        "note": history.note if history is not None else "not read",
        "hotspots": [
            {
                "symbol": h.symbol or "",
                "path": h.path,
                "commits": h.commits,
                "lines_changed": h.lines_changed,
                "complexity": h.complexity,
                "score": h.score,
            }
            for h in roadmap.primary_hotspots[:shown]
        ],
        "total_hotspots": len(roadmap.primary_hotspots),
        "secondary_hotspots": len(roadmap.hotspots) - len(roadmap.primary_hotspots),
        "moves": [
            {
                "number": views[move.recommendation_id]["number"],
                "title": views[move.recommendation_id]["title"],
                "before": "in the backlog"
                if move.rank_without is None
                else ordinal(move.rank_without),
            }
            for move in list(ranks.values())[:MOVES_SHOWN]
        ],
        "more_moves": max(0, len(ranks) - MOVES_SHOWN),
    }


def _totals(
    scheduled: Sequence[Recommendation], roadmap: Roadmap, recs: Sequence[Recommendation]
) -> dict[str, Any]:
    review = ReviewTime(
        low_minutes=sum(r.review_time.low_minutes for r in scheduled),
        high_minutes=sum(r.review_time.high_minutes for r in scheduled),
    )
    return {
        "weeks": roadmap.total_weeks,
        "days": roadmap.total_days,
        "prs": len(scheduled),
        "all_prs": len(recs),
        "high_priority": sum(1 for r in scheduled if r.priority in PRIORITIES[:2]),
        "critical": sum(1 for r in scheduled if r.priority == "critical"),
        "effort_hours": round(sum(r.effort.hours for r in scheduled), 1),
        "review": review.label if scheduled else "none",
        "changed_lines": sum(r.changed_lines for r in scheduled),
        "findings": sum(len(r.findings) for r in scheduled),
        "phases": len(roadmap.phases),
        "first": scheduled[0].title if scheduled else "",
        "first_reason": scheduled[0].priority_reason if scheduled else "",
        "first_priority": scheduled[0].priority if scheduled else "",
    }
