"""The plan-wide sections of the Markdown: who is told, who reviews, what this plan risks, and
what waits. Pull requests are named by their number in the timeline ("#1, #3-#7")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import PRIORITIES, load_kinds
from analyzer.planning.roadmap import Roadmap
from analyzer.report import Report

Views = dict[str, dict[str, Any]]


def pr_numbers(ids: Sequence[str], views: Views) -> Markup:
    """ "#1, #3-#7": scheduled pull requests by their number in the timeline, in ranges."""
    numbers = sorted(views[rec_id]["number"] for rec_id in ids)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return Markup(
        ", ".join(f"#{run[0]}" if len(run) == 1 else f"#{run[0]}-#{run[-1]}" for run in runs)
    )


def kinds_view(
    report: Report, scheduled: Sequence[Recommendation], views: Views
) -> list[dict[str, Any]]:
    kinds = load_kinds(report.rule_dirs)
    return [
        {
            "id": kind.id,
            "title": kind.title,
            "emoji": kind.emoji,
            "communicate": kind.communicate,
            "prs": pr_numbers([rec.id for rec in scheduled if rec.kind == kind.id], views),
        }
        for kind in kinds.kinds
        if any(rec.kind == kind.id for rec in scheduled)
    ]


def review_view(
    report: Report, scheduled: Sequence[Recommendation], views: Views
) -> dict[str, Any]:
    kinds = load_kinds(report.rule_dirs).by_id()
    wanted: dict[str, list[str]] = {"security": [], "architecture": [], "qa": [], "operations": []}
    for rec in scheduled:
        reviewers = set(kinds[rec.kind].reviewers)
        if rec.risk.level == "high":
            reviewers.add("architecture")
        if any(reason.factor == "untested" for reason in rec.risk.reasons):
            reviewers.add("qa")
        if not rec.risk.ships:
            reviewers = set()
        for reviewer in reviewers & set(wanted):
            wanted[reviewer].append(rec.id)
    levels = []
    for level in ("high", "medium-high", "medium"):
        ids = [rec.id for rec in scheduled if rec.risk.level == level and rec.risk.ships]
        if ids:
            levels.append({"level": level.capitalize(), "prs": pr_numbers(ids, views)})
    test_only = [rec.id for rec in scheduled if not rec.risk.ships]
    return {
        **{name: pr_numbers(ids, views) if ids else "" for name, ids in wanted.items()},
        "levels": levels,
        "test_only": pr_numbers(test_only, views) if test_only else "",
    }


def mitigation_view(
    roadmap: Roadmap,
    scheduled: Sequence[Recommendation],
    recs: Sequence[Recommendation],
    backlog: frozenset[str],
    views: Views,
) -> dict[str, Any]:
    hot = {
        (h.path, h.symbol): h for h in roadmap.primary_hotspots[: roadmap.settings.history.shown]
    }
    touching = []
    for rec in scheduled:
        spots = {hot[(f.path, f.symbol)] for f in rec.findings if (f.path, f.symbol) in hot}
        if spots:
            top = max(spots, key=lambda h: h.score)
            touching.append(
                {
                    "pr": pr_numbers([rec.id], views),
                    "symbol": top.symbol or "",
                    "commits": top.commits,
                }
            )
    untested: Counter[str] = Counter()
    for rec in scheduled:
        for reason in rec.risk.reasons:
            if reason.factor == "untested":
                untested.update(path for path in rec.files if path != ".")
    waiting = [f for rec in recs if rec.id in backlog for f in rec.findings]
    uncertain = [
        rec.id for rec in scheduled if any(r.factor == "uncertain" for r in rec.risk.reasons)
    ]
    return {
        "uncertain": pr_numbers(uncertain, views) if uncertain else "",
        "oversized": [
            {"pr": pr_numbers([rec.id], views), "text": rec.oversized}
            for rec in scheduled
            if rec.oversized
        ],
        "hotspots": touching,
        "shared_untested": [path for path, count in untested.most_common(5) if count > 1],
        "backlog_high": sum(1 for f in waiting if f.severity == "high"),
        "backlog_findings": len(waiting),
    }


def backlog_view(report: Report, waiting: Sequence[Recommendation]) -> dict[str, Any]:
    kinds = load_kinds(report.rule_dirs)
    groups = []
    for kind in kinds.kinds:
        members = [rec for rec in waiting if rec.kind == kind.id]
        if not members:
            continue
        top = sorted(members, key=lambda r: (PRIORITIES.index(r.priority), -r.value, r.id))[:2]
        groups.append(
            {
                "emoji": kind.emoji,
                "title": kind.title,
                "prs": len(members),
                "findings": sum(len(rec.findings) for rec in members),
                "hours": round(sum(rec.effort.hours for rec in members), 1),
                "top": [rec.title for rec in top],
            }
        )
    return {
        "prs": len(waiting),
        "findings": sum(len(rec.findings) for rec in waiting),
        "hours": round(sum(rec.effort.hours for rec in waiting), 1),
        "long_tail": sum(1 for rec in waiting if rec.long_tail),
        "kinds": groups,
        "first": waiting[0].title if waiting else "",
    }
