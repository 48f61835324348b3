"""The planning pipeline: findings (and the git history) in, recommendations and a roadmap out.

facts -> hotspots -> value -> group (root causes, ratchet, splits, titles) -> order ->
dependencies -> schedule (horizon, phases, backlog) -> success metrics. Every step is a pure
function over frozen data; only ``load_planning`` reads files (the rules directories).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analyzer.discover.history import History
from analyzer.model import ScanResult
from analyzer.planning.depend import link_dependencies
from analyzer.planning.facts import gather_code_facts
from analyzer.planning.group import GroupingInputs, Recommendation, group_findings
from analyzer.planning.hotspots import Hotspot, find_hotspots
from analyzer.planning.kinds import KindBook, load_kinds
from analyzer.planning.metrics.specs import MetricSpec, load_metric_specs
from analyzer.planning.metrics.success import SuccessMetric, measure_success_metrics
from analyzer.planning.schedule import Phase, Schedule, order_recommendations, schedule
from analyzer.planning.settings import PlanSettings, default_plan_settings, load_plan_settings
from analyzer.planning.value import classify, value_context
from analyzer.rules import RuleBook, load_rulebook


@dataclass(frozen=True, kw_only=True, slots=True)
class Move:
    """A pull request the history moved up the schedule (ranks are 1-based)."""

    recommendation_id: str
    rank: int
    # Its rank planned without the history; None when it was then in the backlog.
    rank_without: int | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Roadmap:
    phases: tuple[Phase, ...]
    # Ids of the recommendations that are not scheduled, in schedule order.
    backlog: tuple[str, ...]
    total_weeks: int
    total_days: int
    metrics: tuple[SuccessMetric, ...]
    settings: PlanSettings
    # Every hotspot (for the JSON export), and those in the project's own code (not tests
    # or vendored code): the ones the Markdown lists and that raise priorities.
    hotspots: tuple[Hotspot, ...] = ()
    primary_hotspots: tuple[Hotspot, ...] = ()
    history: History | None = None
    moves: tuple[Move, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Planning:
    """What planning reads from the rules directories."""

    settings: PlanSettings
    kinds: KindBook
    rulebook: RuleBook
    metric_specs: tuple[MetricSpec, ...]


def load_planning(rule_dirs: Iterable[Path] = (), settings: PlanSettings | None = None) -> Planning:
    dirs = tuple(rule_dirs)
    return Planning(
        settings=settings or planning_settings(dirs),
        kinds=load_kinds(dirs),
        rulebook=load_rulebook(dirs),
        metric_specs=load_metric_specs(dirs),
    )


def planning_settings(dirs: tuple[Path, ...]) -> PlanSettings:
    """The last rules directory with a planning.toml wins over the bundled defaults."""
    for directory in reversed(dirs):
        if (directory / "planning.toml").is_file():
            return load_plan_settings(directory / "planning.toml")
    return default_plan_settings()


def plan_roadmap(
    result: ScanResult, planning: Planning, history: History | None = None
) -> tuple[tuple[Recommendation, ...], Roadmap]:
    """Recommendations (scheduled first, then the backlog) and the roadmap."""
    planned, hotspots, primary = _plan(result, planning, history)
    moves: tuple[Move, ...] = ()
    if hotspots:
        without, _, _ = _plan(result, planning, None)
        moves = _moves(planned, without)
    backlog = frozenset(planned.backlog)
    fixed = [f for rec in planned.recommendations if rec.id not in backlog for f in rec.findings]
    roadmap = Roadmap(
        phases=planned.phases,
        backlog=planned.backlog,
        total_weeks=planned.total_weeks,
        total_days=planned.total_days,
        metrics=measure_success_metrics(result, planning.metric_specs, fixed),
        settings=planning.settings,
        hotspots=hotspots,
        primary_hotspots=primary,
        history=history,
        moves=moves,
    )
    return planned.recommendations, roadmap


def _plan(
    result: ScanResult, planning: Planning, history: History | None
) -> tuple[Schedule, tuple[Hotspot, ...], tuple[Hotspot, ...]]:
    settings, kinds = planning.settings, planning.kinds
    facts = gather_code_facts(result, settings.risk, history)
    hotspots = find_hotspots(facts, history)
    classes = {
        h.path: classify(h.path, settings.path_classes, facts.endpoint_files) for h in hotspots
    }
    primary = tuple(h for h in hotspots if not classes[h.path].secondary)
    context = value_context(
        (f.path for f in result.findings),
        weights=settings.value,
        classes=settings.path_classes,
        endpoint_files=facts.endpoint_files,
        file_commits=facts.file_commits,
        hotspots=primary,
        window=f"since {history.since}" if history is not None and history.since else "",
        history_read=history is not None and history.available,
    )
    grouped = group_findings(
        result.findings,
        GroupingInputs(
            kinds=kinds,
            rulebook=planning.rulebook,
            settings=settings,
            facts=facts,
            context=context,
            hotspot_scores={(h.path, h.symbol or ""): h.score for h in hotspots},
        ),
    )
    refactoring = frozenset(
        kind.id for kind in kinds.kinds if settings.risk.complexity_category in kind.categories
    )
    ordered = order_recommendations(grouped, refactoring)
    linked = link_dependencies(ordered, {kind.id: kind.changes_code for kind in kinds.kinds})
    themes = {kind.id: kind.theme for kind in kinds.kinds}
    return schedule(linked, settings, themes), hotspots, primary


def _moves(planned: Schedule, without: Schedule) -> tuple[Move, ...]:
    """Pull requests scheduled earlier because of the history, in schedule order.

    The groups may differ between the two plans (history keeps changing code apart), so a
    pull request's rank without history is where most of its findings were: the median of
    their ranks, a finding in the backlog counting as past the end."""
    rank_of = _ranks(without)
    past_end = len(without.recommendations) - len(without.backlog) + 1
    backlog = frozenset(planned.backlog)
    scheduled = [rec for rec in planned.recommendations if rec.id not in backlog]
    moves = []
    for rank, rec in enumerate(scheduled, start=1):
        keys = [f.fingerprint for f in rec.findings] if not rec.gated_rules else [_key(rec)]
        ranks = sorted(rank_of.get(key, past_end) for key in keys or [_key(rec)])
        before = ranks[(len(ranks) - 1) // 2]
        if before > rank:
            moves.append(
                Move(
                    recommendation_id=rec.id,
                    rank=rank,
                    rank_without=None if before == past_end else before,
                )
            )
    return tuple(moves)


def _ranks(plan: Schedule) -> dict[str, int]:
    """The schedule rank of each finding (and of the ratchet, by its kind)."""
    backlog = frozenset(plan.backlog)
    scheduled = [rec for rec in plan.recommendations if rec.id not in backlog]
    ranks = {_key(rec): index for index, rec in enumerate(scheduled, start=1)}
    for index, rec in enumerate(scheduled, start=1):
        ranks.update((f.fingerprint, index) for f in rec.findings)
    return ranks


def _key(rec: Recommendation) -> str:
    """The ratchet by its kind (there is one, whatever fixes it carries); others by the
    first finding they hold."""
    return (
        f"kind:{rec.kind}" if rec.gated_rules or not rec.findings else rec.findings[0].fingerprint
    )
