"""Group root causes into recommendations: one recommendation is one pull request.

- Every finding lands in exactly one root cause (``rootcause``), every root cause in exactly
  one kind (``rules/recommendations.toml``; a cause spanning kinds goes to the more urgent).
- Long-tail rules past the ratchet's ``min_findings`` become one ratchet pull request (the
  CI gate, plus the fixes that pay: request-handling code and the most-changed files); the
  rest of them becomes backlog pull requests, never scheduled.
- Each kind's causes are split into the project's own code and the rest (tests, examples,
  vendored code), and into urgent (high or medium severity) and routine ones, then along
  module boundaries (directory, else file, else runs of lines) into
  pull requests within the review budget; only one oversized root cause can exceed it, and
  the pull request says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from analyzer.model import Finding
from analyzer.planning.estimate import (
    EffortEstimate,
    ReviewTime,
    cause_lines,
    cause_minutes,
    effort_of,
    estimate_review_time,
)
from analyzer.planning.facts import CodeFacts
from analyzer.planning.kinds import KindBook, Priority, RecommendationKind
from analyzer.planning.risk import Risk, assess_risk
from analyzer.planning.rootcause import RootCause, canonical, find_root_causes
from analyzer.planning.settings import PlanSettings, matches_rules, rule_matches
from analyzer.planning.split import split_for_review
from analyzer.planning.titles import (
    common_scope,
    describe_fixes,
    describe_place,
    file_range,
    make_title,
    unique_titles,
)
from analyzer.planning.value import ValueContext, assess_priority
from analyzer.rules import RuleBook

# The ratchet's title names at most this many of the rules it gates.
_NOUNS_NAMED = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class Dependency:
    id: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Recommendation:
    id: str
    kind: str
    title: str
    emoji: str
    scope: str
    findings: tuple[Finding, ...]
    root_causes: tuple[RootCause, ...]
    files: tuple[str, ...]
    changed_lines: int
    priority: Priority
    priority_reason: str
    effort: EffortEstimate
    risk: Risk
    review_time: ReviewTime
    value: float
    # The score of the highest hotspot it touches; 0 without history.
    hotspot_score: int = 0
    # Past the ratchet: the long tail, kept in the backlog.
    long_tail: bool = False
    # Set when one root cause alone is larger than the review budget.
    oversized: str | None = None
    # The ratchet: the rule ids its CI gate covers.
    gated_rules: tuple[str, ...] = ()
    depends_on: tuple[Dependency, ...] = ()

    @property
    def wsjf(self) -> float:
        """Value per hour of work: weighted shortest job first."""
        return self.value / max(self.effort.hours, 0.5)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Draft:
    kind: RecommendationKind
    causes: tuple[RootCause, ...]
    long_tail: bool = False
    gated_rules: tuple[str, ...] = ()
    tail_findings: int = 0
    tail_value: float = 0.0


@dataclass(frozen=True, slots=True)
class _Costs:
    """Each root cause's changed lines and remediation minutes, worked out once."""

    lines_by_id: dict[int, float]
    minutes_by_id: dict[int, float]

    def lines(self, cause: RootCause) -> float:
        return self.lines_by_id[id(cause)]

    def minutes(self, cause: RootCause) -> float:
        return self.minutes_by_id[id(cause)]


@dataclass(frozen=True, kw_only=True, slots=True)
class GroupingInputs:
    kinds: KindBook
    rulebook: RuleBook
    settings: PlanSettings
    facts: CodeFacts
    context: ValueContext
    # Hotspot score by (path, function), for every hotspot.
    hotspot_scores: dict[tuple[str, str], int]


def group_findings(
    findings: Sequence[Finding], inputs: GroupingInputs
) -> tuple[Recommendation, ...]:
    """Recommendations in kind order, then path order; independent of input order."""
    kinds, settings = inputs.kinds, inputs.settings
    causes = find_root_causes(findings, settings.root_causes, inputs.context.primary)
    costs = _Costs(
        {id(c): cause_lines(c, settings) for c in causes},
        {id(c): cause_minutes(c, inputs.rulebook, settings) for c in causes},
    )
    rank = kinds.rank()
    ratchet = kinds.ratchet()
    gated = _long_tail_rules(findings, ratchet)
    regular: dict[str, list[RootCause]] = defaultdict(list)
    tail: list[RootCause] = []
    for cause in causes:
        if cause.anchor.rule_id in gated:
            tail.append(cause)
            continue
        kind = min((kinds.assign(f) for f in cause.findings), key=lambda k: rank[k.id])
        regular[kind.id].append(cause)
    drafts: list[_Draft] = []
    if ratchet is not None and gated:
        paying, rest = _paying(tail, inputs, costs, ratchet.fix_now_minutes)
        drafts.append(
            _Draft(
                kind=ratchet,
                causes=tuple(paying),
                gated_rules=tuple(sorted(gated)),
                tail_findings=sum(c.sites for c in tail),
                tail_value=sum(inputs.context.finding_value(f) for c in tail for f in c.findings),
            )
        )
        for cause in rest:
            regular[f"tail:{kinds.assign(cause.anchor).id}"].append(cause)
    for kind in kinds.kinds:
        for long_tail in (False, True):
            group = regular.get(f"tail:{kind.id}" if long_tail else kind.id, [])
            for primary in (True, False):
                mine = [c for c in group if inputs.context.primary(c.anchor.path) == primary]
                for part in (
                    _by_urgency(mine, settings, costs)
                    if not _refactors(kind, inputs)
                    else _by_change(mine, inputs)
                ):
                    drafts.extend(
                        _Draft(kind=kind, causes=tuple(piece), long_tail=long_tail)
                        for piece in split_for_review(
                            part, costs.lines, settings.review_budget_lines
                        )
                    )
    return _finish(drafts, inputs, costs)


def _refactors(kind: RecommendationKind, inputs: GroupingInputs) -> bool:
    return inputs.settings.risk.complexity_category in kind.categories


def _by_change(causes: Sequence[RootCause], inputs: GroupingInputs) -> list[list[RootCause]]:
    """Refactoring of code that changed in the history window apart from code that did not:
    they differ in priority and order."""
    changed = inputs.context.changed
    if changed is None:
        return [list(causes)] if causes else []
    hot = [c for c in causes if any((f.path, f.symbol) in changed for f in c.findings)]
    hot_ids = {id(c) for c in hot}
    cold = [c for c in causes if id(c) not in hot_ids]
    return [part for part in (hot, cold) if part]


def _by_urgency(
    causes: Sequence[RootCause], settings: PlanSettings, costs: _Costs
) -> list[list[RootCause]]:
    """Urgent causes (high or medium severity) apart from routine ones, unless all of them
    fit one review and the routine part is the smaller job: two pull requests on the same
    few files would only conflict."""
    urgent = [c for c in causes if c.lead.severity in settings.value.urgent_severities]
    routine = [c for c in causes if c.lead.severity not in settings.value.urgent_severities]
    if not urgent or not routine:
        return [list(causes)] if causes else []
    fits = sum(costs.lines(c) for c in causes) <= settings.review_budget_lines
    minutes = [sum(costs.minutes(c) for c in part) for part in (urgent, routine)]
    return [list(causes)] if fits and minutes[1] <= minutes[0] else [urgent, routine]


def _long_tail_rules(
    findings: Sequence[Finding], ratchet: RecommendationKind | None
) -> frozenset[str]:
    if ratchet is None:
        return frozenset()
    per_rule = Counter(f.rule_id for f in findings)
    gated: set[str] = set()
    for pattern in ratchet.nouns:
        matching = [rule for rule in per_rule if rule_matches(pattern, rule)]
        total = sum(per_rule[rule] for rule in matching)
        if total >= ratchet.thresholds.get(pattern, ratchet.min_findings):
            gated.update(matching)
    return frozenset(gated)


def _paying(
    causes: Sequence[RootCause], inputs: GroupingInputs, costs: _Costs, fix_now_minutes: float
) -> tuple[list[RootCause], list[RootCause]]:
    """The long-tail fixes worth doing now, most valuable first, within the review budget and
    ``fix_now_minutes``: findings not of low confidence in request-handling code and in the
    most-changed files."""
    context, settings = inputs.context, inputs.settings

    def pays(cause: RootCause) -> bool:
        path = cause.anchor.path
        return cause.lead.confidence != "low" and (
            context.path_class(path).weight > 1
            or context.churn.get(path, 0.0) >= settings.value.hot_file_share
        )

    def worth(cause: RootCause) -> tuple[float, tuple[str, int, int, str, str]]:
        return (-sum(context.finding_value(f) for f in cause.findings), canonical(cause.anchor))

    room, time = float(settings.review_budget_lines), fix_now_minutes
    chosen: set[int] = set()
    for index, cause in sorted(enumerate(causes), key=lambda item: worth(item[1])):
        lines, minutes = costs.lines(cause), costs.minutes(cause)
        if pays(cause) and lines <= room and minutes <= time:
            chosen.add(index)
            room, time = room - lines, time - minutes
    paying = [c for i, c in enumerate(causes) if i in chosen]
    return paying, [c for i, c in enumerate(causes) if i not in chosen]


def _finish(
    drafts: Sequence[_Draft], inputs: GroupingInputs, costs: _Costs
) -> tuple[Recommendation, ...]:
    per_kind = Counter(draft.kind.id for draft in drafts)
    seen: Counter[str] = Counter()
    ids: list[str] = []
    for draft in drafts:
        seen[draft.kind.id] += 1
        ids.append(
            draft.kind.id
            if per_kind[draft.kind.id] == 1
            else f"{draft.kind.id}-{seen[draft.kind.id]}"
        )
    recommendations = [
        _build(rec_id, draft, inputs, costs) for rec_id, draft in zip(ids, drafts, strict=True)
    ]
    titles = unique_titles(
        {rec.id: rec.title for rec in recommendations},
        [
            {rec.id: file_range(rec.files) for rec in recommendations},
            {rec.id: _line_range(rec.findings) for rec in recommendations},
            {rec.id: rec.id for rec in recommendations},
        ],
    )
    return tuple(_with_title(rec, titles[rec.id]) for rec in recommendations)


def _with_title(rec: Recommendation, title: str) -> Recommendation:
    return rec if rec.title == title else replace(rec, title=title)


def _line_range(findings: Sequence[Finding]) -> str:
    lines = [f.line for f in findings if f.path != "."]
    if not lines:
        return ""
    return f"line {lines[0]}" if min(lines) == max(lines) else f"lines {min(lines)}-{max(lines)}"


def _build(rec_id: str, draft: _Draft, inputs: GroupingInputs, costs: _Costs) -> Recommendation:
    kind, causes, settings = draft.kind, draft.causes, inputs.settings
    findings = tuple(sorted((f for c in causes for f in c.findings), key=canonical))
    files = tuple(sorted({f.path for f in findings}))
    lines = sum(costs.lines(c) for c in causes)
    value = kind.value_weight * sum(inputs.context.finding_value(f) for f in findings)
    if kind.ratchet:
        priority: Priority = kind.max_priority
        why = f"keeps {draft.tail_findings} long-tail findings from growing"
        title = _ratchet_title(kind, draft.gated_rules)
        lines += kind.setup_lines
        value += draft.tail_value
    else:
        priority, why = assess_priority(kind, findings, inputs.context, _refactors(kind, inputs))
        title = make_title(
            describe_fixes(causes, inputs.kinds, inputs.rulebook), describe_place(files)
        )
    biggest = max((costs.lines(c) for c in causes), default=0.0)
    oversized = (
        f"one fix alone is about {round(biggest)} changed lines, over the "
        f"{settings.review_budget_lines}-line review budget"
        if biggest > settings.review_budget_lines
        else None
    )
    return Recommendation(
        id=rec_id,
        kind=kind.id,
        title=title,
        emoji=kind.emoji,
        scope=common_scope(files),
        findings=findings,
        root_causes=causes,
        files=files,
        changed_lines=round(lines),
        priority=priority,
        priority_reason=why,
        effort=effort_of(kind.setup_minutes + sum(costs.minutes(c) for c in causes), settings),
        risk=assess_risk(
            findings,
            inputs.facts,
            inputs.rulebook,
            settings.risk,
            changes_code=kind.changes_code,
            ships=inputs.context.ships,
        ),
        review_time=estimate_review_time(lines, settings),
        value=round(value, 3),
        hotspot_score=max(
            (inputs.hotspot_scores.get((f.path, f.symbol or ""), 0) for f in findings), default=0
        ),
        long_tail=draft.long_tail,
        oversized=oversized,
        gated_rules=draft.gated_rules,
    )


def _ratchet_title(kind: RecommendationKind, rules: Sequence[str]) -> str:
    nouns = list(
        dict.fromkeys(
            noun
            for rule in rules
            for pattern, noun in kind.nouns.items()
            if matches_rules((pattern,), rule)
        )
    )
    if len(nouns) > _NOUNS_NAMED:
        more = len(nouns) - _NOUNS_NAMED
        nouns = [*nouns[:_NOUNS_NAMED], f"{more} more long-tail rule{'s' if more > 1 else ''}"]
    listed = nouns[0] if len(nouns) == 1 else f"{', '.join(nouns[:-1])} and {nouns[-1]}"
    return f"Gate CI on new {listed}"
