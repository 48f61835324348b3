"""What a fix is worth, and how urgent it is.

Value (``[value]`` in planning.toml): severity weight x confidence weight x where the
finding sits (request-handling code counts more; tests, migrations, examples and scripts
less) x how often its file changes. The schedule orders by priority, then value per hour
of work: weighted shortest job first.

Priority follows the worst finding in the project's own code (critical needs an
escalating kind such as security and a high-severity, high-confidence finding), capped by
the kind's ``max_priority``; a pull request touching a top hotspot goes one step up. One
holding only tests, examples or vendored code is capped by their path class. Each priority
comes with the reason that produced it, so the word and the reason always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from analyzer.discover import matches_any
from analyzer.model import Finding
from analyzer.planning.hotspots import Hotspot
from analyzer.planning.kinds import PRIORITIES, Priority, RecommendationKind
from analyzer.planning.settings import PathClass, ValueWeights

APPLICATION = PathClass(
    name="application", label="application code", patterns=(), weight=1.0, ships=True
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueContext:
    """Everything a finding's value depends on besides the finding, looked up per file."""

    weights: ValueWeights
    # The path class of every path a finding names.
    classes: Mapping[str, PathClass]
    # Commits of each file over the commits of the most-changed one (0 to 1).
    churn: Mapping[str, float]
    # The top hotspots by (path, function), those that raise a priority.
    hot: Mapping[tuple[str, str], Hotspot]
    # Every function that changed in the history window; None without history.
    changed: frozenset[tuple[str, str]] | None = None
    # "in the last 12 months", for reasons.
    window: str = ""

    def path_class(self, path: str) -> PathClass:
        return self.classes.get(path, APPLICATION)

    def ships(self, path: str) -> bool:
        return self.path_class(path).ships

    def primary(self, path: str) -> bool:
        """Code the project owns and runs, as opposed to tests, examples, vendored code."""
        return not self.path_class(path).secondary

    def finding_value(self, finding: Finding) -> float:
        weights = self.weights
        return (
            weights.severity[finding.severity]
            * weights.confidence[finding.confidence]
            * self.path_class(finding.path).weight
            * (1 + weights.hotspot_weight * self.churn.get(finding.path, 0.0))
        )

    def hotspot_of(self, finding: Finding) -> Hotspot | None:
        if finding.symbol is None:
            return None
        return self.hot.get((finding.path, finding.symbol))


def value_context(
    paths: Iterable[str],
    *,
    weights: ValueWeights,
    classes: Sequence[PathClass],
    endpoint_files: frozenset[str],
    file_commits: Mapping[str, int],
    hotspots: Sequence[Hotspot],
    window: str = "",
    history_read: bool = False,
) -> ValueContext:
    most = max(file_commits.values(), default=0)
    return ValueContext(
        weights=weights,
        classes={path: classify(path, classes, endpoint_files) for path in set(paths)},
        churn={path: count / most for path, count in file_commits.items()} if most else {},
        hot={
            (h.path, h.symbol): h
            for h in hotspots[: weights.hotspot_priority_top]
            if h.symbol is not None
        },
        window=window,
        changed=(
            frozenset((h.path, h.symbol) for h in hotspots if h.symbol is not None)
            if history_read
            else None
        ),
    )


def classify(path: str, classes: Sequence[PathClass], endpoint_files: frozenset[str]) -> PathClass:
    """The first class whose globs match (or that claims endpoint files), else application."""
    for path_class in classes:
        if matches_any(path, path_class.patterns) or (
            path_class.endpoint_files and path in endpoint_files
        ):
            return path_class
    return APPLICATION


def assess_priority(
    kind: RecommendationKind,
    findings: Sequence[Finding],
    context: ValueContext,
    refactoring: bool = False,
) -> tuple[Priority, str]:
    """The priority and its reason. ``refactoring``: with history read, refactoring code that
    did not change in the window goes one step down (it costs nobody anything today)."""
    primary = [f for f in findings if context.primary(f.path)]
    if not primary:
        return _secondary(kind, findings, context)
    priority, reason = _by_severity(kind, primary)
    priority, reason = _by_history(priority, reason, kind, findings, context, refactoring)
    if PRIORITIES.index(priority) < PRIORITIES.index(kind.max_priority):
        priority = kind.max_priority
        reason = f"{reason}; {kind.title.lower()} is capped at {priority}"
    return priority, reason


def _secondary(
    kind: RecommendationKind, findings: Sequence[Finding], context: ValueContext
) -> tuple[Priority, str]:
    """Only tests, examples or vendored code: their path class caps the priority."""
    classes = {context.path_class(f.path) for f in findings}
    labels = _join(sorted(c.label for c in classes) or ["no code"])
    cap = min((c.max_priority or "low" for c in classes), key=PRIORITIES.index, default="low")
    worst, reason = _by_severity(kind, findings)
    if PRIORITIES.index(worst) < PRIORITIES.index(cap):
        return cast(Priority, cap), f"only {labels}"
    return worst, f"{reason} in {labels}"


def _by_history(
    priority: Priority,
    reason: str,
    kind: RecommendationKind,
    findings: Sequence[Finding],
    context: ValueContext,
    refactoring: bool,
) -> tuple[Priority, str]:
    """One step up for a top hotspot; for refactoring, one down for code that never changes."""
    rank = PRIORITIES.index(priority)
    window = f" {context.window}" if context.window else ""
    hot = _hottest(findings, context)
    if hot is not None and rank > PRIORITIES.index(kind.max_priority):
        commits = _count(hot.commits, "commit")
        return (
            PRIORITIES[rank - 1],
            f"{reason}; raised a step: {hot.symbol} is a hotspot ({commits}{window})",
        )
    cold = context.changed is not None and not any(
        (f.path, f.symbol) in context.changed for f in findings
    )
    if refactoring and cold and priority != "low":
        return PRIORITIES[rank + 1], f"{reason}; lowered a step: none of it changed{window}"
    return priority, reason


def _by_severity(kind: RecommendationKind, findings: Sequence[Finding]) -> tuple[Priority, str]:
    severe = [f for f in findings if f.severity == "high"]
    certain = [f for f in severe if f.confidence == "high"]
    if kind.escalate and certain:
        return "critical", _count(len(certain), "high-severity, high-confidence finding")
    if severe:
        return "high", _count(len(severe), "high-severity finding")
    medium = sum(1 for f in findings if f.severity == "medium")
    if medium:
        return "medium", _count(medium, "medium-severity finding")
    return "low", "only low-severity findings"


def _hottest(findings: Sequence[Finding], context: ValueContext) -> Hotspot | None:
    spots = [spot for f in findings if (spot := context.hotspot_of(f)) is not None]
    return max(spots, key=lambda h: (h.score, h.path), default=None)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
