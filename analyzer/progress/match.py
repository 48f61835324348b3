"""What became of an earlier report's findings in a later one.

Fingerprints (rule, path, enclosing symbol, normalized line text, occurrence; never the
line number) already survive line shifts and a function moved within its file. A function
moved to another file changes the path, so a finding left unmatched is paired, one to one,
with a new finding of the same rule, symbol and message (same rule, path and message at
module level): it moved, it was not fixed, and the new one is not new debt. Rules that
grade one measurement (``grade_of`` in rules/: radon's complexity ranks) pair across
grades at the same path and symbol: a function gone from rank E to F got worse, it was not
fixed. A finding outside any function (a template's markup, a module-level variable) that
left one file and appears in another is paired too when what it says identifies it (its
rule and message occur once in each report), or when it came with a block: at least
``BLOCK`` such findings left one file and appear in another in the same order (a partial
template or a helper module extracted).

An unmatched finding is fixed only if the later scan could have seen it: its analyzer ran
to the end and its file had no error; otherwise it is ``unverified`` and counts as open.
"""

from __future__ import annotations

from collections import Counter, defaultdict
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
    paired = frozenset(moved.values())
    moved |= _pair_carried(
        earlier,
        later,
        [f for f in leftover if f.fingerprint not in moved],
        [f for f in unmatched_later if f.fingerprint not in paired],
    )
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


# A block of module-level findings carried to another file: this many, in the same order.
BLOCK = 2
# Longest-common-subsequence work allowed per pair of files (a huge reorganization is
# left unpaired rather than made slow).
_LCS_CELLS = 250_000
# And over all pairs of files together: every file that findings left is compared with
# every file they appear in, so without it the work grows with the square of the
# findings (20,000 findings in 50 files took 84 s). Past it, blocks are left unpaired.
_LCS_BUDGET = 4_000_000

Key = tuple[str, str]


def _key(finding: PastFinding) -> Key:
    return (finding.rule_id, finding.message)


def _pair_carried(
    earlier: Snapshot,
    later: Snapshot,
    leftover: Sequence[PastFinding],
    unmatched: Sequence[PastFinding],
) -> dict[str, str]:
    """Module-level findings that left one file and appear in another (see the module)."""
    gone = [f for f in leftover if not f.symbol]
    came = [f for f in unmatched if not f.symbol]
    once_before = Counter(_key(f) for f in earlier.findings)
    once_after = Counter(_key(f) for f in later.findings)
    pairs = _pair_moved(
        [f for f in gone if once_before[_key(f)] == 1],
        [f for f in came if once_after[_key(f)] == 1],
        lambda f: _key(f) if once_before[_key(f)] == once_after[_key(f)] == 1 else None,
    )
    taken = set(pairs.values())
    rest_gone = [f for f in gone if f.fingerprint not in pairs]
    rest_came = [f for f in came if f.fingerprint not in taken]
    return {**pairs, **_pair_blocks(rest_gone, rest_came)}


def _pair_blocks(gone: Sequence[PastFinding], came: Sequence[PastFinding]) -> dict[str, str]:
    """For each file findings left (in path order), the other file sharing the longest run
    of them in order, when that run is at least ``BLOCK`` long."""
    by_path_gone, by_path_came = _by_path(gone), _by_path(came)
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    budget = _LCS_BUDGET
    for source in sorted(by_path_gone):
        old = by_path_gone[source]
        best: list[tuple[PastFinding, PastFinding]] = []
        for target in sorted(by_path_came):
            new = [f for f in by_path_came[target] if f.fingerprint not in taken]
            cells = len(old) * len(new)
            if target == source or cells > min(_LCS_CELLS, budget):
                continue
            budget -= cells
            run = _common_run(old, new)
            if len(run) > len(best):
                best = run
        if len(best) >= BLOCK:
            pairs.update((a.fingerprint, b.fingerprint) for a, b in best)
            taken.update(b.fingerprint for _, b in best)
    return pairs


def _by_path(findings: Sequence[PastFinding]) -> dict[str, list[PastFinding]]:
    grouped: dict[str, list[PastFinding]] = defaultdict(list)
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.fingerprint)):
        grouped[finding.path].append(finding)
    return grouped


def _common_run(
    old: Sequence[PastFinding], new: Sequence[PastFinding]
) -> list[tuple[PastFinding, PastFinding]]:
    """The longest common subsequence of the two files' findings by rule and message."""
    rows, cols = len(old), len(new)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            if _key(old[i]) == _key(new[j]):
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    run: list[tuple[PastFinding, PastFinding]] = []
    i = j = 0
    while i < rows and j < cols:
        if _key(old[i]) == _key(new[j]):
            run.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return run
