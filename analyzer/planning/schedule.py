"""Plan the roadmap: dependencies between pull requests, phases, a schedule, success metrics.

- Dependencies come from the kinds' declared order plus file overlap: a later pull request
  that edits a file an earlier one edits depends on it. Edges only ever point from a
  recommendation to one before it in kind order, so the graph is acyclic by construction.
- Phases are the layers of that graph (a pull request sits one layer after its latest
  dependency), so no phase is empty and every dependency is in an earlier phase.
- Each phase is packed onto the team (longest pull request first, to the least loaded
  developer) in working days; phases follow each other, and several short phases may
  share a week. Week ranges and the total are computed from those days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from analyzer.estimate import gather_code_facts
from analyzer.group import KindBook, Recommendation, RecommendationKind, group_findings, load_kinds
from analyzer.model import ScanResult
from analyzer.plan_settings import (
    PlanSettings,
    PlanSettingsError,
    default_plan_settings,
    load_plan_settings,
    plan_settings_from_table,
)
from analyzer.report import Report
from analyzer.rules import RuleBook, load_rulebook
from analyzer.success import MetricSpec, SuccessMetric, load_metric_specs, measure_success_metrics

__all__ = [
    "Phase",
    "PlanSettings",
    "PlanSettingsError",
    "Roadmap",
    "ScheduledWork",
    "default_plan_settings",
    "link_dependencies",
    "plan_phases",
    "plan_roadmap",
    "plan_settings_from_table",
    "report_date",
    "with_roadmap",
]

WORKDAYS_PER_WEEK = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduledWork:
    """One pull request on one developer's timeline, in working days from the start."""

    recommendation_id: str
    developer: int
    start_day: int
    days: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Phase:
    number: int
    name: str
    start_day: int
    end_day: int
    recommendation_ids: tuple[str, ...]
    work: tuple[ScheduledWork, ...]

    @property
    def first_week(self) -> int:
        return self.start_day // WORKDAYS_PER_WEEK + 1

    @property
    def last_week(self) -> int:
        return max(self.first_week, (self.end_day - 1) // WORKDAYS_PER_WEEK + 1)

    @property
    def weeks_label(self) -> str:
        first, last = self.first_week, self.last_week
        return f"Week {first}" if first == last else f"Week {first}-{last}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Roadmap:
    phases: tuple[Phase, ...]
    total_weeks: int
    total_days: int
    metrics: tuple[SuccessMetric, ...]
    settings: PlanSettings


def link_dependencies(
    recommendations: Sequence[Recommendation], kinds: KindBook
) -> tuple[Recommendation, ...]:
    """Set ``depends_on``: declared kind order (through absent kinds) plus file overlap,
    transitively reduced so each recommendation lists only its direct prerequisites."""
    by_kind = kinds.by_id()
    present = {r.kind for r in recommendations}
    rank = {kind.id: index for index, kind in enumerate(kinds.kinds)}
    ordered = sorted(recommendations, key=lambda r: (rank[r.kind], r.part))
    direct: list[set[int]] = []
    for later_index, later in enumerate(ordered):
        wanted = _effective_kinds(later.kind, by_kind, present)
        # Only kinds that edit the files their findings point at can conflict on them.
        files = set(later.files) if by_kind[later.kind].changes_code else set()
        direct.append(
            {
                index
                for index, earlier in enumerate(ordered[:later_index])
                if earlier.kind in wanted
                or (by_kind[earlier.kind].changes_code and not files.isdisjoint(earlier.files))
            }
        )
    reduced = _transitive_reduction(direct)
    return tuple(
        replace(rec, depends_on=tuple(ordered[i].id for i in sorted(reduced[index])))
        for index, rec in enumerate(ordered)
    )


def _effective_kinds(
    kind_id: str, by_kind: Mapping[str, RecommendationKind], present: set[str]
) -> set[str]:
    """Declared dependencies; one that has no recommendation is replaced by its own."""
    found: set[str] = set()
    for dependency in by_kind[kind_id].depends_on:
        found |= (
            {dependency}
            if dependency in present
            else _effective_kinds(dependency, by_kind, present)
        )
    return found


def _transitive_reduction(direct: Sequence[set[int]]) -> list[set[int]]:
    reach: list[set[int]] = []
    for deps in direct:
        reach.append(set(deps).union(*(reach[d] for d in deps)) if deps else set())
    return [
        {d for d in deps if not any(d in reach[other] for other in deps if other != d)}
        for deps in direct
    ]


def plan_phases(
    recommendations: Sequence[Recommendation], kinds: KindBook, settings: PlanSettings
) -> tuple[Phase, ...]:
    """Layers of the dependency graph, each packed onto the team in working days."""
    layer: dict[str, int] = {}
    for rec in recommendations:  # dependencies always come earlier in this order
        layer[rec.id] = 1 + max((layer[d] for d in rec.depends_on), default=-1)
    themes = {kind.id: kind.theme for kind in kinds.kinds}
    phases: list[Phase] = []
    start = 0
    for number in range(1, max(layer.values(), default=-1) + 2):
        members = [r for r in recommendations if layer[r.id] == number - 1]
        work = _pack(members, settings, start)
        end = max((w.start_day + w.days for w in work), default=start)
        phases.append(
            Phase(
                number=number,
                name=_phase_name(members, themes),
                start_day=start,
                end_day=end,
                recommendation_ids=tuple(r.id for r in members),
                work=work,
            )
        )
        start = end
    return tuple(phases)


def working_days(rec: Recommendation, settings: PlanSettings) -> int:
    """Fixing plus reviewing (the slow end of the review range), at one developer's pace."""
    hours = rec.effort.hours + rec.review_time.high_minutes / 60
    per_day = settings.hours_per_week / WORKDAYS_PER_WEEK
    return max(1, math.ceil(round(hours / per_day, 6)))


def _pack(
    members: Sequence[Recommendation], settings: PlanSettings, start: int
) -> tuple[ScheduledWork, ...]:
    loads = [0] * settings.developers
    work: list[ScheduledWork] = []
    sized = sorted(
        ((working_days(r, settings), i, r) for i, r in enumerate(members)),
        key=lambda t: (-t[0], t[1]),
    )
    for days, _, rec in sized:
        developer = min(range(len(loads)), key=lambda d: (loads[d], d))
        work.append(
            ScheduledWork(
                recommendation_id=rec.id,
                developer=developer + 1,
                start_day=start + loads[developer],
                days=days,
            )
        )
        loads[developer] += days
    order = {r.id: i for i, r in enumerate(members)}
    return tuple(sorted(work, key=lambda w: order[w.recommendation_id]))


def _phase_name(members: Sequence[Recommendation], themes: Mapping[str, str]) -> str:
    names = list(dict.fromkeys(themes[r.kind] for r in members))
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return text[:1].upper() + text[1:]


def plan_roadmap(
    result: ScanResult,
    *,
    settings: PlanSettings,
    kinds: KindBook,
    rulebook: RuleBook,
    metric_specs: Sequence[MetricSpec],
) -> tuple[tuple[Recommendation, ...], Roadmap]:
    grouped = group_findings(
        result.findings,
        kinds=kinds,
        rulebook=rulebook,
        settings=settings,
        facts=gather_code_facts(result, settings.risk),
    )
    recommendations = link_dependencies(grouped, kinds)
    phases = plan_phases(recommendations, kinds, settings)
    total_days = phases[-1].end_day if phases else 0
    roadmap = Roadmap(
        phases=phases,
        total_weeks=max((p.last_week for p in phases), default=0),
        total_days=total_days,
        metrics=measure_success_metrics(result, metric_specs),
        settings=settings,
    )
    return recommendations, roadmap


def report_date(environ: Mapping[str, str]) -> date:
    """The date a roadmap is dated: ``SOURCE_DATE_EPOCH`` (reproducible builds) or today."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def _planning_from(dirs: tuple[Path, ...]) -> PlanSettings:
    """The last rules directory with a planning.toml wins over the bundled defaults."""
    for directory in reversed(dirs):
        if (directory / "planning.toml").is_file():
            return load_plan_settings(directory / "planning.toml")
    return default_plan_settings()


def with_roadmap(
    report: Report, settings: PlanSettings | None = None, rule_dirs: Iterable[Path] = ()
) -> Report:
    """The report with its recommendations and roadmap; what the command line calls."""
    dirs = tuple(rule_dirs)
    recommendations, roadmap = plan_roadmap(
        report.result,
        settings=settings or _planning_from(dirs),
        kinds=load_kinds(dirs),
        rulebook=load_rulebook(dirs),
        metric_specs=load_metric_specs(dirs),
    )
    return replace(report, recommendations=recommendations, roadmap=roadmap)
