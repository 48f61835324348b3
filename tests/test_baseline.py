"""Baselines: matching by fingerprint and count, surviving edits, only ever tightening."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.baseline import (
    Baseline,
    BaselineError,
    compare,
    create_baseline,
    dumps_baseline,
    loads_baseline,
    prune,
)
from analyzer.model import Finding, RawFinding
from analyzer.normalize import index_sources, normalize
from analyzer.rules import load_rulebook

RULES = load_rulebook()

ORIGINAL = """\
import subprocess


def first(cmd):
    return subprocess.call(cmd, shell=True)


def second(cmd):
    subprocess.call(cmd, shell=True)
    return 1
"""

# Two lines inserted at the top, and ``second`` moved above ``first``.
EDITED = """\
\"\"\"A module docstring added later.\"\"\"
import subprocess


def second(cmd):
    subprocess.call(cmd, shell=True)
    return 1


def first(cmd):
    return subprocess.call(cmd, shell=True)
"""

# The same as EDITED, plus one copy of an already-baselined line in ``second``.
DUPLICATED = """\
\"\"\"A module docstring added later.\"\"\"
import subprocess


def second(cmd):
    subprocess.call(cmd, shell=True)
    subprocess.call(cmd, shell=True)
    return 1


def first(cmd):
    return subprocess.call(cmd, shell=True)
"""


def _findings(tmp_path: Path, text: str) -> tuple[Finding, ...]:
    """Normalize one bandit B602 finding per ``shell=True`` line, as the adapter reports it."""
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    raw = [
        RawFinding(
            tool="bandit",
            tool_code="B602",
            message="shell=True",
            path="app.py",
            line=n,
            severity="high",
        )
        for n, line in enumerate(text.splitlines(), start=1)
        if "shell=True" in line
    ]
    return normalize(raw, RULES, index_sources(str(tmp_path), ["app.py"])).findings


def test_inserted_lines_and_a_moved_function_stay_matched(tmp_path: Path) -> None:
    baseline = create_baseline(_findings(tmp_path, ORIGINAL))
    comparison = compare(_findings(tmp_path, EDITED), baseline)
    assert [f.baseline_status for f in comparison.findings] == ["baseline", "baseline"]
    assert (comparison.new_count, comparison.baseline_count, comparison.fixed) == (0, 2, ())


def test_one_added_duplicate_is_exactly_one_new_finding(tmp_path: Path) -> None:
    baseline = create_baseline(_findings(tmp_path, ORIGINAL))
    comparison = compare(_findings(tmp_path, DUPLICATED), baseline)
    assert comparison.new_count == 1
    assert comparison.baseline_count == 2
    [new] = [f for f in comparison.findings if f.baseline_status == "new"]
    assert new.symbol == "second"


def test_a_fixed_finding_is_reported_and_pruned(tmp_path: Path) -> None:
    baseline = create_baseline(_findings(tmp_path, ORIGINAL))
    fixed_text = ORIGINAL.replace(
        "    subprocess.call(cmd, shell=True)\n", "    subprocess.call(cmd)\n"
    )
    comparison = compare(_findings(tmp_path, fixed_text), baseline)
    assert [(e.symbol, e.rule_id) for e in comparison.fixed] == [("second", "bandit.B602")]
    pruned = prune(comparison)
    assert len(pruned.entries) == 1
    # Pruning never adds: a new finding does not enter the baseline.
    again = compare(_findings(tmp_path, DUPLICATED), pruned)
    assert len(prune(again).entries) <= len(pruned.entries)


def test_unverified_entries_are_kept_not_pruned(tmp_path: Path) -> None:
    baseline = create_baseline(_findings(tmp_path, ORIGINAL))
    for kwargs in (
        {"unverified_paths": {"app.py"}},
        {"verified_tools": {"mypy"}},  # bandit failed, was disabled, or did not load
        {"scope": {"other.py"}},
        {"suppressed": _findings(tmp_path, ORIGINAL)},  # still there, now suppressed
    ):
        comparison = compare((), baseline, **kwargs)  # type: ignore[arg-type]
        assert comparison.fixed == ()
        assert len(comparison.unverified) == 2
        assert prune(comparison) == baseline


def test_counts_match_even_if_a_fingerprint_repeats_in_the_file(tmp_path: Path) -> None:
    findings = _findings(tmp_path, ORIGINAL)
    doubled = Baseline(
        entries=(*create_baseline(findings).entries, create_baseline(findings).entries[0])
    )
    comparison = compare(findings, doubled)
    assert comparison.baseline_count == 2
    assert len(comparison.fixed) == 1


def test_round_trip_is_deterministic(tmp_path: Path) -> None:
    baseline = create_baseline(_findings(tmp_path, ORIGINAL))
    text = dumps_baseline(baseline, "1.0")
    assert loads_baseline(text, "b.json") == baseline
    assert dumps_baseline(loads_baseline(text, "b.json"), "1.0") == text
    document = json.loads(text)
    assert document["version"] == 1
    assert {"fingerprint", "rule_id", "path", "line", "symbol", "message"} == set(
        document["findings"][0]
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"version": 99, "findings": []}', "not a repo-roadmap baseline"),
        ('{"version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"version": 1, "findings": [{"path": "a.py"}]}', "findings[0] needs"),
    ],
)
def test_bad_baseline_files_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(BaselineError, match=message.replace("[", r"\[").replace("]", r"\]")):
        loads_baseline(text, "b.json")
