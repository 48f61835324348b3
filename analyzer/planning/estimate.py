"""Estimates for one pull request: changed lines, effort, review time, priority and risk.

Pure functions over findings, the rule book, the planning settings and ``CodeFacts`` (what
the scan measured about the files: maintainability, complexity, coverage, test files).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from analyzer.discover import is_test_file
from analyzer.model import Finding, ScanResult
from analyzer.plan_settings import PlanSettings, RiskThresholds
from analyzer.rules import RuleBook

Priority = Literal["critical", "high", "medium", "low"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "medium", "low")
RiskLevel = Literal["low", "medium", "medium-high", "high"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "medium-high", "high")
Size = Literal["Small", "Medium", "Large"]
_CHANGE_POINTS = {"low": 0, "medium": 1, "high": 2}
LISTED = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class EffortEstimate:
    hours: float
    size: Size


@dataclass(frozen=True, kw_only=True, slots=True)
class ReviewTime:
    low_minutes: int
    high_minutes: int

    @property
    def label(self) -> str:
        """``"20-35 minutes"`` up to an hour and a half, ``"2-3 hours"`` beyond."""
        if self.high_minutes <= 90:
            low, high = _round_down(self.low_minutes, 5), _round_up(self.high_minutes, 5)
            return f"about {high} minutes" if low >= high else f"{low}-{high} minutes"
        low_h, high_h = max(1, self.low_minutes // 60), math.ceil(self.high_minutes / 60)
        return f"about {high_h} hours" if low_h >= high_h else f"{low_h}-{high_h} hours"


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskReason:
    factor: Literal["behaviour", "complexity", "spread", "untested", "uncertain", "none"]
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Risk:
    level: RiskLevel
    reasons: tuple[RiskReason, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class CodeFacts:
    """Per-file facts risk depends on, gathered once from the scan."""

    maintainability: Mapping[str, float]
    # (path, qualified name) of each function the complexity analyzer flagged.
    complex_functions: frozenset[tuple[str, str]]
    coverage: Mapping[str, float]
    tested_names: frozenset[str]
    # Modules the testing analyzer found no test for (it knows imports and exemptions such
    # as migrations); None when it did not run, and file names are all there is to go by.
    untested_modules: frozenset[str] | None = None

    def is_tested(self, path: str, threshold: float) -> bool:
        if is_test_file(path):
            return True
        if path in self.coverage:
            return self.coverage[path] >= threshold
        if self.untested_modules is not None:
            return path not in self.untested_modules
        if self.coverage:
            return False
        return module_name(path) in self.tested_names

    def complex_function_at(self, finding: Finding) -> str | None:
        """The flagged function the finding sits in, if any."""
        symbol = finding.symbol or ""
        for path, name in sorted(self.complex_functions):
            if path == finding.path and (symbol == name or symbol.startswith(f"{name}.")):
                return name
        return None


def gather_code_facts(result: ScanResult, thresholds: RiskThresholds) -> CodeFacts:
    paths = {m.path for m in result.measures if m.path} | {f.path for f in result.findings}
    by_name: dict[str, dict[str, float]] = {}
    for measure in result.measures:
        if measure.path is not None:
            by_name.setdefault(measure.name, {})[measure.path] = measure.value
    return CodeFacts(
        maintainability=by_name.get(thresholds.maintainability_measure, {}),
        complex_functions=frozenset(
            (f.path, f.symbol)
            for f in result.findings
            if f.category == thresholds.complexity_category and f.symbol
        ),
        coverage=by_name.get(thresholds.coverage_measure, {}),
        tested_names=frozenset(name for p in paths if is_test_file(p) for name in _subjects(p)),
        untested_modules=_untested_by_analyzer(result),
    )


def _untested_by_analyzer(result: ScanResult) -> frozenset[str] | None:
    if not any(run.name == "testing" and run.status == "ok" for run in result.analyzers):
        return None
    return frozenset(
        f.path
        for f in (*result.findings, *result.suppressed)
        if f.rule_id == "testing.untested-module"
    )


def module_name(path: str) -> str:
    """``pkg/core/config.py`` -> ``config``; a package's ``__init__.py`` -> the package."""
    pure = PurePosixPath(path)
    return pure.parent.name if pure.stem == "__init__" else pure.stem


def _subjects(test_path: str) -> tuple[str, ...]:
    stem = PurePosixPath(test_path).stem
    if stem.startswith("test_"):
        return (stem[5:],)
    if stem.endswith("_test"):
        return (stem[:-5],)
    return ()


def changed_lines(finding: Finding, settings: PlanSettings) -> float:
    estimate = settings.changed_lines.lookup(finding.rule_id, finding.category)
    return estimate.lines(dict(finding.details))


def estimate_effort(
    findings: Sequence[Finding], rulebook: RuleBook, settings: PlanSettings
) -> EffortEstimate:
    """Each finding's rule's remediation minutes (base + per_unit * details "units"), summed."""
    minutes = sum(rulebook.lookup(f.tool, f.tool_code).effort.minutes(_units(f)) for f in findings)
    hours = round(minutes / 60, 1)
    size: Size = "Small" if hours <= settings.small_max_hours else "Medium"
    if hours > settings.medium_max_hours:
        size = "Large"
    return EffortEstimate(hours=hours, size=size)


def _units(finding: Finding) -> float:
    value = dict(finding.details).get("units")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def estimate_review_time(lines: float, settings: PlanSettings) -> ReviewTime:
    """Overhead plus the changed lines at the fast (low bound) and slow (high bound) rate."""
    slow, fast = settings.review_rate_lines_per_hour
    overhead = settings.review_overhead_minutes
    return ReviewTime(
        low_minutes=math.floor(overhead + lines / fast * 60),
        high_minutes=math.ceil(overhead + lines / slow * 60),
    )


def assess_priority(
    base: Priority, *, escalate: bool, findings: Sequence[Finding]
) -> tuple[Priority, str]:
    """The kind's base priority, adjusted by the findings; returns it with the reason.

    1. ``critical`` when the kind escalates (security) and a finding has high severity
       and high confidence;
    2. otherwise one step up, at most ``high``, when any finding has high severity;
    3. otherwise one step down, at least ``low``, when every finding is low or info.
    """
    rank = PRIORITIES.index(base)
    severe = [f for f in findings if f.severity == "high"]
    certain = [f for f in severe if f.confidence == "high"]
    if escalate and certain:
        return "critical", f"{_count(len(certain), 'high-severity, high-confidence finding')}"
    if severe:
        raised = PRIORITIES[max(1, rank - 1)] if rank > 1 else base
        return raised, f"{_count(len(severe), 'high-severity finding')}"
    if all(f.severity in {"low", "info"} for f in findings):
        return PRIORITIES[min(rank + 1, len(PRIORITIES) - 1)], "only low-severity findings"
    return (
        base,
        f"{_count(sum(1 for f in findings if f.severity == 'medium'), 'medium-severity finding')}",
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def assess_risk(
    findings: Sequence[Finding],
    facts: CodeFacts,
    rulebook: RuleBook,
    thresholds: RiskThresholds,
    *,
    changes_code: bool = True,
) -> Risk:
    """Points per factor (behaviour change 0-2, the others 0-1) summed into a level.

    Pull requests that add tests or documents (``changes_code`` false) are not made risky
    by the complexity, spread or test gaps of the code their findings point at.
    """
    files = sorted({f.path for f in findings})
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
            _calm(files)
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
    level = "high" if points == 2 else "medium"
    titles = sorted(
        {r.title for r in rules.values() if _CHANGE_POINTS[r.behaviour_change] == points}
    )
    text = f"the fixes change behaviour ({level}): {_listing(titles)}"
    return points, RiskReason(factor="behaviour", text=text)


def _complexity(
    findings: Sequence[Finding], facts: CodeFacts, thresholds: RiskThresholds
) -> Scored:
    hard: dict[str, None] = {}
    for finding in findings:
        function = facts.complex_function_at(finding)
        index = facts.maintainability.get(finding.path)
        if function is not None:
            hard[f"{function} in {finding.path} (complexity rank C or worse)"] = None
        elif index is not None and index < thresholds.low_maintainability:
            hard[f"{finding.path} (maintainability index {index:g})"] = None
    if not hard:
        return 0, None
    return 1, RiskReason(factor="complexity", text=f"touches hard-to-change code: {_listing(hard)}")


def _code_modules(files: Sequence[str]) -> list[str]:
    """Python modules that are not tests: what complexity, coverage and spread apply to."""
    return [p for p in files if p.endswith((".py", ".pyw")) and not is_test_file(p)]


def _spread(files: Sequence[str], thresholds: RiskThresholds) -> Scored:
    modules = _code_modules(files)
    if len(modules) <= thresholds.many_modules:
        return 0, None
    packages = len({str(PurePosixPath(p).parent) for p in modules})
    return 1, RiskReason(
        factor="spread", text=f"touches {len(modules)} modules in {packages} packages"
    )


def _untested(files: Sequence[str], facts: CodeFacts, thresholds: RiskThresholds) -> Scored:
    modules = _code_modules(files)
    untested = [p for p in modules if not facts.is_tested(p, thresholds.tested_coverage_percent)]
    if not untested or len(untested) * 2 < len(modules):
        return 0, None
    how = (
        f"below {thresholds.tested_coverage_percent:g}% line coverage"
        if facts.coverage
        else "without a test that is named after or imports them"
        if facts.untested_modules is not None
        else "without a test file named after them"
    )
    verb = "is" if len(untested) == 1 else "are"
    text = f"{len(untested)} of {len(modules)} touched modules {verb} {how}: {_listing(untested)}"
    return 1, RiskReason(factor="untested", text=text)


def _uncertain(findings: Sequence[Finding], thresholds: RiskThresholds) -> Scored:
    low = sum(1 for f in findings if f.confidence == "low")
    if not findings or low / len(findings) <= thresholds.uncertain_share:
        return 0, None
    text = (
        f"{low} of {len(findings)} findings have low confidence: confirm each before changing code"
    )
    return 1, RiskReason(factor="uncertain", text=text)


def _calm(files: Sequence[str]) -> str:
    files_touched = _count(len(files), "file")
    return f"behaviour-preserving fixes in {files_touched}, none of them hard to change or untested"


def _listing(items: Iterable[str]) -> str:
    values = list(items)
    shown = ", ".join(values[:LISTED])
    return shown if len(values) <= LISTED else f"{shown} and {len(values) - LISTED} more"


def _round_down(value: int, step: int) -> int:
    return max(step, value // step * step)


def _round_up(value: int, step: int) -> int:
    return max(step, math.ceil(value / step) * step)
