"""Root causes: findings that one fix closes.

Two findings share a root cause when they come from the same rule with the same message
once digits and spacing are ignored (45 copies of one hard-coded test password, 33 mypy
errors from one dynamic base class), or when they sit on the same line (bandit and the
frontend analyzer both flagging one ``Environment(autoescape=False)``). Union-find over
those two keys: linear in the findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.model import CONFIDENCES, SEVERITIES, Finding
from analyzer.planning.settings import RootCauseSettings, matches_rules

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, kw_only=True, slots=True)
class RootCause:
    """One fix. ``findings`` in canonical order; the first is the anchor that names it."""

    findings: tuple[Finding, ...]
    # "single", or what joined the findings: the same message, the same line, or both.
    joined_by: str
    # The most severe, most certain finding: what the fix is named after.
    lead: Finding

    @property
    def anchor(self) -> Finding:
        return self.findings[0]

    @property
    def sites(self) -> int:
        return len(self.findings)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({f.path for f in self.findings}))


def _importance(finding: Finding) -> tuple[int, int, tuple[str, int, int, str, str]]:
    return (
        SEVERITIES.index(finding.severity),
        CONFIDENCES.index(finding.confidence),
        canonical(finding),
    )


def canonical(finding: Finding) -> tuple[str, int, int, str, str]:
    return (finding.path, finding.line, finding.column, finding.rule_id, finding.fingerprint)


def _per_rule(excluded: tuple[str, ...], off: bool) -> Callable[[str], bool]:
    """Whether a rule takes part in a kind of merge, decided once per rule id."""
    answers: dict[str, bool] = {}

    def allowed(rule_id: str) -> bool:
        if rule_id not in answers:
            answers[rule_id] = not off and not matches_rules(excluded, rule_id)
        return answers[rule_id]

    return allowed


def normalized_message(message: str) -> str:
    return _SPACE.sub(" ", _DIGITS.sub("N", message)).strip().lower()


def find_root_causes(
    findings: Sequence[Finding],
    settings: RootCauseSettings,
    side: Callable[[str], bool] = lambda _path: True,
) -> tuple[RootCause, ...]:
    """Every finding in exactly one root cause; causes ordered by their anchor.

    ``side`` splits paths in two (the project's own code, and tests or vendored code): one
    message in application code and in tests is two fixes, so test passwords never ride
    along with a production fix."""
    ordered = sorted(findings, key=canonical)
    parent = list(range(len(ordered)))
    joined: dict[int, set[str]] = {}

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(first: int, second: int, how: str) -> None:
        a, b = find(first), find(second)
        if a != b:
            low, high = min(a, b), max(a, b)
            parent[high] = low
            joined.setdefault(low, set()).update(joined.pop(high, set()))
        joined.setdefault(find(first), set()).add(how)

    by_message = _per_rule(settings.not_by_message, not settings.by_message)
    by_line = _per_rule(settings.not_by_line, not settings.by_line)
    seen_message: dict[tuple[str, str, bool], int] = {}
    seen_line: dict[tuple[str, int, str], int] = {}
    concern = {category: group[0] for group in settings.line_groups for category in group}
    for index, finding in enumerate(ordered):
        if by_message(finding.rule_id):
            key = (finding.rule_id, normalized_message(finding.message), side(finding.path))
            first = seen_message.setdefault(key, index)
            if first != index:
                union(first, index, "message")
        if finding.path != "." and by_line(finding.rule_id):
            place = (finding.path, finding.line, concern.get(finding.category, finding.category))
            first = seen_line.setdefault(place, index)
            if first != index:
                union(first, index, "line")
    groups: dict[int, list[Finding]] = {}
    for index, finding in enumerate(ordered):
        groups.setdefault(find(index), []).append(finding)
    return tuple(
        RootCause(
            findings=tuple(members),
            joined_by=" and ".join(sorted(joined.get(root, set()))) or "single",
            lead=min(members, key=_importance),
        )
        for root, members in sorted(groups.items())
    )
