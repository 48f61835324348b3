"""The org roadmap (``roadmap merge --org``) as JSON: each repository's metrics and pull
requests (ids qualified by the repository, finding paths prefixed by it), the teams, and
the one schedule. Findings themselves stay in each repository's own report; here they are
named by fingerprint."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from analyzer import __version__
from analyzer.planning.org import OrgPlan, RepositoryPlan
from analyzer.render.encode import dump_json
from analyzer.render.plan_data import metric_to_dict, recommendation_to_dict
from analyzer.report import OrgReport

ORG_SCHEMA_VERSION = "org-1.0"


def render_org_json(report: OrgReport) -> str:
    return dump_json(build_org_report(report))


def build_org_report(report: OrgReport) -> dict[str, Any]:
    plan = report.plan
    work = plan.work
    return {
        "schema_version": ORG_SCHEMA_VERSION,
        "tool": {"name": "repo-roadmap", "version": __version__},
        "generated_on": report.generated_on.isoformat(),
        "repositories": [
            _repository(repo, plan, report.root_labels[repo.name]) for repo in plan.repositories
        ],
        "teams": [asdict(team) for team in plan.teams],
        "recommendations": [
            {
                "repository": plan.repository_of[rec.id],
                **recommendation_to_dict(rec, work.get(rec.id)),
            }
            for rec in plan.recommendations
        ],
        "roadmap": {
            "horizon_weeks": plan.horizon_weeks,
            "total_weeks": plan.total_weeks,
            "phases": [
                {
                    "number": phase.number,
                    "name": phase.name,
                    "weeks": phase.weeks_label,
                    "recommendation_ids": list(phase.recommendation_ids),
                    "work": [asdict(item) for item in phase.work],
                }
                for phase in plan.phases
            ],
            "backlog": list(plan.backlog),
        },
    }


def _repository(repo: RepositoryPlan, plan: OrgPlan, root: str) -> dict[str, Any]:
    target = repo.result.target
    backlog = frozenset(plan.backlog)
    return {
        "name": repo.name,
        "root": root,
        "commit": target.git_commit,
        "files_scanned": target.files_scanned,
        "lines": target.lines,
        "findings": len(repo.result.findings),
        "recommendation_ids": [rec.id for rec in repo.recommendations],
        "scheduled": sum(1 for rec in repo.recommendations if rec.id not in backlog),
        "metrics": [metric_to_dict(metric) for metric in repo.metrics],
    }
