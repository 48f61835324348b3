"""The org roadmap (``roadmap merge --org``) as Markdown: what the ``org.md.j2`` template
prints, computed here, and the rendering.

Repository names are checked words (``analyzer.cli.org``); every other text from the
reports (titles, messages, paths) is target text and stays plain ``str`` for the template
environment to escape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from analyzer import __version__
from analyzer.model import SEVERITIES
from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import PRIORITIES
from analyzer.planning.metrics.aggregate import aggregate
from analyzer.planning.org import OrgPlan, RepositoryPlan, Team, prefixed_path
from analyzer.render.markdown import make_environment
from analyzer.render.metrics_view import metric_view
from analyzer.render.numbers import format_number
from analyzer.render.roadmap_view import recommendation_view, working_day
from analyzer.report import OrgReport, Report
from analyzer.rules import load_rulebook

TEMPLATE = "org.md.j2"
HOTSPOTS_SHOWN = 3


def render_org_markdown(report: OrgReport) -> str:
    environment = make_environment(report.template_dir)
    text = environment.get_template(TEMPLATE).render(**build_org_context(report))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def build_org_context(report: OrgReport) -> dict[str, Any]:
    plan = report.plan
    start = report.generated_on
    rulebook = load_rulebook(report.rule_dirs)
    work = plan.work
    backlog = frozenset(plan.backlog)
    scheduled = [rec for rec in plan.recommendations if rec.id not in backlog]
    numbers = {rec.id: number for number, rec in enumerate(scheduled, start=1)}
    reports = {
        repo.name: Report(result=repo.result, root_label=report.root_labels[repo.name])
        for repo in plan.repositories
    }
    views = {
        rec.id: {
            **recommendation_view(
                rec, numbers, work[rec.id], rulebook, reports[plan.repository_of[rec.id]]
            ),
            "repository": plan.repository_of[rec.id],
            "team": _team_of(plan.teams, plan.repository_of[rec.id]).name,
            "start": working_day(start, work[rec.id].start_day).isoformat(),
        }
        for rec in scheduled
    }
    return {
        "names": [repo.name for repo in plan.repositories],
        "generated_on": start.isoformat(),
        "tool_version": __version__,
        "comparison": _comparison(plan),
        "teams": [_team_view(team, plan, backlog) for team in plan.teams],
        "phases": [
            {
                "number": phase.number,
                "name": phase.name,
                "weeks": phase.weeks_label,
                "recs": [views[rec_id] for rec_id in phase.recommendation_ids],
            }
            for phase in plan.phases
        ],
        "repositories": [
            _repository_view(
                repo,
                views,
                backlog,
                report.root_labels[repo.name],
                _team_of(plan.teams, repo.name).name,
            )
            for repo in plan.repositories
        ],
        "totals": {
            "weeks": plan.total_weeks,
            "horizon_weeks": plan.horizon_weeks,
            "prs": len(scheduled),
            "backlog": len(plan.backlog),
            "effort_hours": round(sum(rec.effort.hours for rec in scheduled), 1),
            "developers": sum(team.developers for team in plan.teams),
        },
    }


def _team_of(teams: Sequence[Team], repository: str) -> Team:
    return next(team for team in teams if repository in team.repositories)


def _team_view(team: Team, plan: OrgPlan, backlog: frozenset[str]) -> dict[str, Any]:
    recs = [
        rec
        for rec in plan.recommendations
        if plan.repository_of[rec.id] in team.repositories and rec.id not in backlog
    ]
    return {
        "name": team.name,
        "developers": team.developers,
        "hours_per_week": team.hours_per_week,
        "repositories": ", ".join(team.repositories),
        "prs": len(recs),
        "effort_hours": round(sum(rec.effort.hours for rec in recs), 1),
    }


def _comparison(plan: OrgPlan) -> dict[str, Any]:
    """The repositories side by side: one row a measure, one column a repository."""
    rows: list[dict[str, Any]] = []

    def add(label: str, cells: Sequence[str]) -> None:
        rows.append({"label": label, "cells": list(cells)})

    repos = plan.repositories
    add("Python files", [format_number(r.result.target.files_scanned) for r in repos])
    add("Lines", [format_number(r.result.target.lines) for r in repos])
    add("Findings", [format_number(len(r.result.findings)) for r in repos])
    severities = [aggregate(r.result.measures, r.result.findings).by_severity for r in repos]
    for severity in SEVERITIES:
        if any(counts.get(severity) for counts in severities):
            add(f"… {severity}", [format_number(counts.get(severity, 0)) for counts in severities])
    add("Pull requests scheduled", [str(len(_scheduled(r, plan))) for r in repos])
    add(
        "… critical or high",
        [str(sum(1 for x in _scheduled(r, plan) if x.priority in PRIORITIES[:2])) for r in repos],
    )
    add("Effort scheduled (hours)", [_hours(_scheduled(r, plan)) for r in repos])
    add("In the backlog", [str(len(r.recommendations) - len(_scheduled(r, plan))) for r in repos])
    add("Team", [_team_of(plan.teams, r.name).name for r in repos])
    metric_rows: list[dict[str, Any]] = []
    for spec_index, metric in enumerate(repos[0].metrics):
        if metric.outside_code:
            continue
        cells = [_metric_cell(r, spec_index) for r in repos]
        if any(cell != "n/a" for cell in cells):
            metric_rows.append({"label": f"{metric.name} ({metric.unit})", "cells": cells})
    return {"rows": rows, "metrics": metric_rows}


def _scheduled(repo: RepositoryPlan, plan: OrgPlan) -> list[Recommendation]:
    backlog = frozenset(plan.backlog)
    return [rec for rec in repo.recommendations if rec.id not in backlog]


def _hours(recs: Sequence[Recommendation]) -> str:
    return format_number(round(sum(rec.effort.hours for rec in recs), 1))


def _metric_cell(repo: RepositoryPlan, index: int) -> str:
    metric = repo.metrics[index]
    if not metric.applicable:
        return "n/a"
    view = metric_view(metric)
    if not view["measured"]:
        return "not measured"
    return f"{view['baseline']} → {view['target']}"


def _repository_view(
    repo: RepositoryPlan,
    views: dict[str, dict[str, Any]],
    backlog: frozenset[str],
    root: str,
    team: str,
) -> dict[str, Any]:
    waiting = [rec for rec in repo.recommendations if rec.id in backlog]
    commit = (repo.result.target.git_commit or "")[:12]
    return {
        "name": repo.name,
        "root": root,
        "commit": commit,
        "recs": [views[rec.id] for rec in repo.recommendations if rec.id not in backlog],
        "backlog": len(waiting),
        "backlog_findings": sum(len(rec.findings) for rec in waiting),
        "hotspots": [
            {
                "where": prefixed_path(repo.name, h.path),
                "symbol": h.symbol or "",
                "commits": h.commits,
                "complexity": h.complexity,
            }
            for h in repo.hotspots[:HOTSPOTS_SHOWN]
        ],
        "settings": repo.settings,
        "team": team,
    }
