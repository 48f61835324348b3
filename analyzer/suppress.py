"""Suppressions from the configuration: disabled rules and per-path rule ignores.

Suppressed findings are kept, marked with the reason, and counted in every output; inline
``# roadmap: ignore`` comments are handled in normalize, where the source line is at hand.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from analyzer.discover import matches_globs
from analyzer.model import SEVERITIES, Finding, Severity, SuppressionReason


@dataclass(frozen=True, kw_only=True, slots=True)
class Split:
    kept: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]


def rule_matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """True when a pattern is the rule id, or a glob over rule ids ("vulture.*")."""
    return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in patterns)


def suppression_reason(
    finding: Finding,
    disabled_rules: Sequence[str],
    path_ignores: Sequence[tuple[str, Sequence[str]]],
    min_severity: Severity = "info",
) -> SuppressionReason | None:
    if rule_matches(finding.rule_id, disabled_rules):
        return "rule-disabled"
    for glob, rules in path_ignores:
        if matches_globs(finding.path, (glob,)) and rule_matches(finding.rule_id, rules):
            return "path-ignored"
    if SEVERITIES.index(finding.severity) > SEVERITIES.index(min_severity):
        return "below-min-severity"
    return None


def apply_config_suppressions(
    findings: Sequence[Finding],
    disabled_rules: Sequence[str],
    path_ignores: Sequence[tuple[str, Sequence[str]]],
    *,
    min_severity: Severity = "info",
) -> Split:
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    # The reason depends on the rule, the path and the severity only, and thousands of
    # findings share them: each combination is matched against the globs once.
    reasons: dict[tuple[str, str, str], SuppressionReason | None] = {}
    for finding in findings:
        key = (finding.rule_id, finding.path, finding.severity)
        if key in reasons:
            reason = reasons[key]
        else:
            reason = reasons[key] = suppression_reason(
                finding, disabled_rules, path_ignores, min_severity
            )
        if reason is None:
            kept.append(finding)
        else:
            suppressed.append(replace(finding, suppressed_by=reason))
    return Split(kept=tuple(kept), suppressed=tuple(suppressed))
