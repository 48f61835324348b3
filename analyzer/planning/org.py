"""One roadmap across repositories: each repository planned as its own roadmap would plan
it, then every pull request scheduled on one timeline.

- Recommendations stay per repository: each is grouped, estimated and linked to its
  dependencies exactly as that repository's own scan plans it (its own settings and
  history); its id is qualified by the repository (``api/security-1``), and its findings'
  paths carry the repository as a prefix (``api/app/views.py``; a project-wide finding,
  on ``.``, sits on ``api``) once planned, so path rules matched the repository's own
  paths.
- One schedule: all pull requests in one order (priority, then value per hour, across
  repositories), assigned to teams. By default one shared team pools the repositories'
  own teams (their developers, at the hours they work); a repository may keep a team of
  its own, which works only on it (``OrgTeams``).
- Each repository's success metrics are measured from its scan, their targets from what
  the shared schedule fixes in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from analyzer.discover.history import History
from analyzer.model import Finding, ScanResult
from analyzer.planning.group import Dependency, Recommendation
from analyzer.planning.hotspots import Hotspot
from analyzer.planning.kinds import PRIORITIES
from analyzer.planning.metrics.success import SuccessMetric, measure_success_metrics
from analyzer.planning.roadmap import Planning, prepare_plan, refactoring_kinds, themes_of
from analyzer.planning.rootcause import RootCause
from analyzer.planning.schedule import (
    WORKDAYS_PER_WEEK,
    Phase,
    ScheduledWork,
    order_recommendations,
    phases_of,
    schedule,
)
from analyzer.planning.settings import PlanSettings

SHARED = "shared"


@dataclass(frozen=True, kw_only=True, slots=True)
class Repository:
    """One repository's scan, as its report holds it, and its own planning settings."""

    name: str
    result: ScanResult
    history: History | None = None
    # Its ``[tool.roadmap.plan]``; None for the planning defaults.
    settings: PlanSettings | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Team:
    """Developers who work on ``repositories`` (the shared team: every repository without
    a team of its own)."""

    name: str
    developers: int
    hours_per_week: float
    repositories: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamSizes:
    """What the user set: the shared team (any of its numbers) and teams of their own."""

    shared_developers: int | None = None
    shared_hours_per_week: float | None = None
    horizon_weeks: int | None = None
    # Repository name -> (developers, hours a week or None for its own setting).
    own: Mapping[str, tuple[int, float | None]] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RepositoryPlan:
    name: str
    result: ScanResult
    settings: PlanSettings
    history: History | None
    # Its recommendations (ids qualified), scheduled ones first, in the org's order.
    recommendations: tuple[Recommendation, ...]
    metrics: tuple[SuccessMetric, ...]
    hotspots: tuple[Hotspot, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgPlan:
    repositories: tuple[RepositoryPlan, ...]
    teams: tuple[Team, ...]
    # Every recommendation: the scheduled ones in schedule order, then the backlog.
    recommendations: tuple[Recommendation, ...]
    repository_of: Mapping[str, str]
    phases: tuple[Phase, ...]
    backlog: tuple[str, ...]
    total_days: int
    horizon_weeks: int

    @property
    def total_weeks(self) -> int:
        return -(-self.total_days // WORKDAYS_PER_WEEK)

    @property
    def work(self) -> dict[str, ScheduledWork]:
        return {item.recommendation_id: item for phase in self.phases for item in phase.work}


def qualified(repository: str, rec_id: str) -> str:
    return f"{repository}/{rec_id}"


def plan_org(
    repositories: Sequence[Repository], planning: Planning, sizes: TeamSizes = TeamSizes()
) -> OrgPlan:
    settings = {r.name: r.settings or planning.settings for r in repositories}
    prepared = {
        r.name: _prepared(r, replace(planning, settings=settings[r.name])) for r in repositories
    }
    teams = form_teams(settings, sizes)
    horizon = sizes.horizon_weeks or max(s.horizon_weeks for s in settings.values())
    repository_of = {rec.id: name for name, (recs, _) in prepared.items() for rec in recs}
    refactoring = refactoring_kinds(planning.kinds, planning.settings)
    themes = themes_of(planning.kinds)
    scheduled: list[tuple[Recommendation, ScheduledWork]] = []
    waiting: list[Recommendation] = []
    offset = 0
    everything = [rec for recs, _ in prepared.values() for rec in recs]
    order = {rec.id: n for n, rec in enumerate(order_recommendations(everything, refactoring))}
    for team in teams:
        members = sorted(
            (rec for rec in everything if repository_of[rec.id] in team.repositories),
            key=lambda rec: order[rec.id],
        )
        team_settings = replace(
            planning.settings,
            developers=team.developers,
            hours_per_week=team.hours_per_week,
            horizon_weeks=horizon,
        )
        fitted = schedule(members, team_settings, themes)
        work = {item.recommendation_id: item for phase in fitted.phases for item in phase.work}
        backlog = frozenset(fitted.backlog)
        for rec in fitted.recommendations:
            if rec.id in backlog:
                waiting.append(rec)
            else:
                item = work[rec.id]
                scheduled.append((rec, replace(item, developer=item.developer + offset)))
        offset += team.developers
    scheduled.sort(
        key=lambda pair: (PRIORITIES.index(pair[0].priority), pair[1].start_day, order[pair[0].id])
    )
    waiting.sort(key=lambda rec: order[rec.id])
    recs = [rec for rec, _ in scheduled]
    plans = tuple(
        _repository_plan(
            r,
            settings[r.name],
            prepared[r.name][1],
            [rec for rec in (*recs, *waiting) if repository_of[rec.id] == r.name],
            frozenset(rec.id for rec in waiting),
            planning,
        )
        for r in repositories
    )
    return OrgPlan(
        repositories=plans,
        teams=teams,
        recommendations=(*recs, *waiting),
        repository_of=repository_of,
        phases=phases_of(recs, [item for _, item in scheduled], themes),
        backlog=tuple(rec.id for rec in waiting),
        total_days=max((item.end_day for _, item in scheduled), default=0),
        horizon_weeks=horizon,
    )


def _prepared(
    repository: Repository, planning: Planning
) -> tuple[tuple[Recommendation, ...], tuple[Hotspot, ...]]:
    """The repository's own recommendations, ids qualified by its name; its hotspots."""
    prepared = prepare_plan(repository.result, planning, repository.history)
    name = repository.name
    recs = tuple(
        replace(
            rec,
            id=qualified(name, rec.id),
            depends_on=tuple(
                Dependency(id=qualified(name, dep.id), reason=dep.reason) for dep in rec.depends_on
            ),
            findings=tuple(prefixed(name, f) for f in rec.findings),
            root_causes=tuple(_cause_prefixed(name, cause) for cause in rec.root_causes),
            files=tuple(prefixed_path(name, path) for path in rec.files),
        )
        for rec in prepared.ordered
    )
    return recs, prepared.primary


def prefixed_path(repository: str, path: str) -> str:
    """``path`` of ``repository`` as the org sees it: under the repository's name."""
    return repository if path == "." else f"{repository}/{path}"


def prefixed(repository: str, finding: Finding) -> Finding:
    return replace(finding, path=prefixed_path(repository, finding.path))


def _cause_prefixed(repository: str, cause: RootCause) -> RootCause:
    return replace(
        cause,
        findings=tuple(prefixed(repository, f) for f in cause.findings),
        lead=prefixed(repository, cause.lead),
    )


def form_teams(settings: Mapping[str, PlanSettings], sizes: TeamSizes) -> tuple[Team, ...]:
    """Teams of their own, in repository order, then the shared team for the others: by
    default the others' own teams pooled, at the hours they work (their mean, weighted by
    developers, so the pool works as many hours a week as they did)."""
    own = dict(sizes.own or {})
    teams = [
        Team(
            name=name,
            developers=developers,
            hours_per_week=hours if hours is not None else settings[name].hours_per_week,
            repositories=(name,),
        )
        for name, (developers, hours) in sorted(own.items())
    ]
    pooled = [name for name in settings if name not in own]
    if pooled:
        developers = sum(settings[name].developers for name in pooled)
        hours = sum(settings[n].developers * settings[n].hours_per_week for n in pooled)
        teams.append(
            Team(
                name=SHARED,
                developers=sizes.shared_developers or developers,
                hours_per_week=sizes.shared_hours_per_week or round(hours / developers, 2),
                repositories=tuple(pooled),
            )
        )
    return tuple(teams)


def _repository_plan(
    repository: Repository,
    settings: PlanSettings,
    hotspots: tuple[Hotspot, ...],
    recommendations: Sequence[Recommendation],
    backlog: frozenset[str],
    planning: Planning,
) -> RepositoryPlan:
    fixed = [f for rec in recommendations if rec.id not in backlog for f in rec.findings]
    return RepositoryPlan(
        name=repository.name,
        result=repository.result,
        settings=settings,
        history=repository.history,
        recommendations=tuple(recommendations),
        metrics=measure_success_metrics(repository.result, planning.metric_specs, fixed),
        hotspots=hotspots,
    )
