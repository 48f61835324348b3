"""How risky one pull request is, and the reasons specific to it.

Points per factor (behaviour change 0-2, the others 0-1) sum into a level. The reasons name
this pull request's modules and functions; the generic advice for each level is written
once, in the roadmap's review and risk sections. A pull request that only touches code
that never ships (tests, examples) is low risk: nothing is deployed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from analyzer.discover import is_test_file
from analyzer.model import Finding
from analyzer.planning.facts import CodeFacts
from analyzer.planning.settings import RiskThresholds
from analyzer.planning.titles import parent_of
from analyzer.rules import RuleBook

RiskLevel = Literal["low", "medium", "medium-high", "high"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "medium-high", "high")
Factor = Literal["behaviour", "complexity", "spread", "untested", "uncertain", "none"]
_CHANGE_POINTS = {"low": 0, "medium": 1, "high": 2}
LISTED = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskReason:
    factor: Factor
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Risk:
    level: RiskLevel
    reasons: tuple[RiskReason, ...]
    # False when every file is code that never ships: no deployment advice applies.
    ships: bool = True


def assess_risk(
    findings: Sequence[Finding],
    facts: CodeFacts,
    rulebook: RuleBook,
    thresholds: RiskThresholds,
    *,
    changes_code: bool = True,
    ships: Callable[[str], bool] = lambda _path: True,
) -> Risk:
    """Pull requests that add tests or documents (``changes_code`` false) are not made risky
    by the complexity, spread or test gaps of the code their findings point at."""
    files = sorted({f.path for f in findings})
    if files and not any(ships(path) for path in files):
        return Risk(
            level="low",
            reasons=(RiskReason(factor="none", text="changes only code that is never deployed"),),
            ships=False,
        )
    scored = [_behaviour(findings, rulebook), _uncertain(findings, thresholds)]
    if changes_code:
        scored[1:1] = [
            _complexity(findings, facts, thresholds),
            _spread(files, thresholds),
            _untested(files, facts, thresholds),
        ]
    points = sum(p for p, _ in scored)
    reasons = tuple(reason for p, reason in scored if p > 0 and reason is not None)
    if not reasons:
        text = (
            "behaviour-preserving fixes in simple, tested code"
            if changes_code
            else "adds tests or documents; no existing behaviour changes"
        )
        reasons = (RiskReason(factor="none", text=text),)
    return Risk(level=RISK_LEVELS[min(points, len(RISK_LEVELS) - 1)], reasons=reasons)


Scored = tuple[int, RiskReason | None]


def _behaviour(findings: Sequence[Finding], rulebook: RuleBook) -> Scored:
    rules = {f.rule_id: rulebook.lookup(f.tool, f.tool_code) for f in findings}
    points = max((_CHANGE_POINTS[r.behaviour_change] for r in rules.values()), default=0)
    if points == 0:
        return 0, None
    titles = sorted(
        {r.title for r in rules.values() if _CHANGE_POINTS[r.behaviour_change] == points}
    )
    how = "changes behaviour" if points == 2 else "may change behaviour"
    return points, RiskReason(factor="behaviour", text=f"{how}: {_listing(titles)}")


def _complexity(
    findings: Sequence[Finding], facts: CodeFacts, thresholds: RiskThresholds
) -> Scored:
    hard: dict[str, None] = {}
    for finding in findings:
        function = facts.complex_function_at(finding)
        index = facts.maintainability.get(finding.path)
        if function is not None:
            hard[f"{function.name} (complexity {function.complexity})"] = None
        elif index is not None and index < thresholds.low_maintainability:
            hard[f"{finding.path} (maintainability {index:.0f})"] = None
    if not hard:
        return 0, None
    return 1, RiskReason(factor="complexity", text=f"touches hard-to-change code: {_listing(hard)}")


def code_modules(files: Iterable[str]) -> list[str]:
    """Python modules that are not tests: what complexity, coverage and spread apply to."""
    return [p for p in files if p.endswith((".py", ".pyw")) and not is_test_file(p)]


def _spread(files: Sequence[str], thresholds: RiskThresholds) -> Scored:
    modules = code_modules(files)
    if len(modules) <= thresholds.many_modules:
        return 0, None
    packages = len({parent_of(p) for p in modules})
    return 1, RiskReason(
        factor="spread", text=f"spans {len(modules)} modules in {packages} packages"
    )


def _untested(files: Sequence[str], facts: CodeFacts, thresholds: RiskThresholds) -> Scored:
    modules = code_modules(files)
    untested = [p for p in modules if not facts.is_tested(p, thresholds.tested_coverage_percent)]
    if not untested or len(untested) * 2 < len(modules):
        return 0, None
    how = (
        f"under {thresholds.tested_coverage_percent:g}% line coverage"
        if facts.coverage
        else "without tests"
    )
    text = f"{len(untested)} of {len(modules)} modules {how}: {_listing(untested)}"
    return 1, RiskReason(factor="untested", text=text)


def _uncertain(findings: Sequence[Finding], thresholds: RiskThresholds) -> Scored:
    low = sum(1 for f in findings if f.confidence == "low")
    if not findings or low / len(findings) <= thresholds.uncertain_share:
        return 0, None
    text = f"{low} of {len(findings)} findings have low confidence"
    return 1, RiskReason(factor="uncertain", text=text)


def _listing(items: Iterable[str]) -> str:
    values = list(items)
    shown = ", ".join(values[:LISTED])
    return shown if len(values) <= LISTED else f"{shown} and {len(values) - LISTED} more"
