"""What became of an earlier report's findings in a later one.

Fingerprints (rule, path, enclosing symbol, normalized line text, occurrence; never the
line number) already survive line shifts and a function moved within its file. A function
moved to another file changes the path, so a finding left unmatched is paired, one to one,
with a new finding of the same rule, symbol and message (same rule, path and message at
module level): it moved, it was not fixed, and the new one is not new debt. Rules that
grade one measurement (``grade_of`` in rules/: radon's complexity ranks) pair across
grades at the same path and symbol: a function gone from rank E to F got worse, it was not
fixed.

An unmatched finding is fixed only if the later scan could have seen it: its analyzer ran
to the end and its file had no error; otherwise it is ``unverified`` and counts as open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from analyzer.progress.outcome import FindingState
from analyzer.progress.snapshot import PastFinding, Snapshot


@dataclass(frozen=True, kw_only=True, slots=True)
class Matching:
    # Each earlier finding's fingerprint and what became of it.
    states: Mapping[str, FindingState]
    # Later findings not in the earlier report (nor moved there, nor suppressed then).
    new: tuple[PastFinding, ...]
    # Later findings that the earlier report listed as suppressed.
    unsuppressed: tuple[PastFinding, ...]


def match_findings(
    earlier: Snapshot, later: Snapshot, grades: Mapping[str, str] | None = None
) -> Matching:
    """``grades``: rule id -> the measurement it grades (``grade_of`` in rules/)."""
    later_ids = later.fingerprints
    earlier_ids = earlier.fingerprints
    unmatched_later = [
        f
        for f in later.findings
        if f.fingerprint not in earlier_ids and f.fingerprint not in earlier.suppressed
    ]
    states: dict[str, FindingState] = {}
    leftover: list[PastFinding] = []
    for finding in earlier.findings:
        if finding.fingerprint in later_ids:
            states[finding.fingerprint] = "remaining"
        elif finding.fingerprint in later.suppressed:
            states[finding.fingerprint] = "suppressed"
        else:
            leftover.append(finding)
    moved = _pair_moved(leftover, unmatched_later, _identity)
    graded = grades or {}
    paired = frozenset(moved.values())
    regraded = _pair_moved(
        [f for f in leftover if f.fingerprint not in moved],
        [f for f in unmatched_later if f.fingerprint not in paired],
        lambda finding: _grade_identity(finding, graded),
    )
    moved = {**moved, **regraded}
    verified, errors = later.verified_tools, later.error_paths
    for finding in leftover:
        if finding.fingerprint in moved:
            states[finding.fingerprint] = "moved"
        elif finding.tool not in verified or finding.path in errors:
            states[finding.fingerprint] = "unverified"
        else:
            states[finding.fingerprint] = "fixed"
    taken = frozenset(moved.values())
    return Matching(
        states=states,
        new=tuple(f for f in unmatched_later if f.fingerprint not in taken),
        unsuppressed=tuple(f for f in later.findings if f.fingerprint in earlier.suppressed),
    )


def _pair_moved(
    earlier: Sequence[PastFinding],
    later: Sequence[PastFinding],
    identity: Callable[[PastFinding], tuple[str, ...] | None],
) -> dict[str, str]:
    """Earlier fingerprint -> the later fingerprint of the same ``identity``, paired one to
    one in report order; findings without an identity are never paired."""
    candidates: dict[tuple[str, ...], list[PastFinding]] = defaultdict(list)
    for finding in later:
        key = identity(finding)
        if key is not None:
            candidates[key].append(finding)
    pairs: dict[str, str] = {}
    for finding in earlier:
        key = identity(finding)
        waiting = candidates.get(key) if key is not None else None
        if waiting:
            pairs[finding.fingerprint] = waiting.pop(0).fingerprint
    return pairs


def _grade_identity(finding: PastFinding, grades: Mapping[str, str]) -> tuple[str, ...] | None:
    """The measurement a graded rule grades, where: the same function at another rank."""
    measurement = grades.get(finding.rule_id)
    if measurement is None or not finding.symbol:
        return None
    return (finding.tool, measurement, finding.path, finding.symbol)


def _identity(finding: PastFinding) -> tuple[str, ...] | None:
    """What a finding is about, wherever it sits: its rule, symbol and message; a finding
    outside any function or class keeps its path too (a symbol alone would not tell two
    modules' top-level findings apart)."""
    if finding.symbol:
        return (finding.rule_id, finding.symbol, finding.message)
    return (finding.rule_id, "", finding.path, finding.message)
