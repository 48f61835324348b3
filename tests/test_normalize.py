"""Normalization: rules attached, symbols found, fingerprints that survive line shifts."""

from __future__ import annotations

from analyzer.model import RawFinding
from analyzer.normalize import SourceIndex, _index_one, normalize
from analyzer.rules import load_rulebook

RULES = load_rulebook()


def _index(text: str) -> SourceIndex:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "m.py").write_text(text)
        return _index_one(tmp, "m.py")


def _raw(line: int, code: str = "B101", tool: str = "bandit") -> RawFinding:
    return RawFinding(
        tool=tool,
        tool_code=code,
        message="m",
        path="m.py",
        line=line,
        severity="low",
        confidence="high",
    )


SOURCE = """\
import os


class Service:
    def run(self, value):
        assert value
        return value

    @property
    def name(self):
        assert self
        return "x"


def helper():
    assert os
"""


def test_symbols_are_enclosing_qualified_names() -> None:
    index = _index(SOURCE)
    assert index.symbol_at(6) == "Service.run"
    assert index.symbol_at(9) == "Service.name"  # the decorator belongs to the function
    assert index.symbol_at(16) == "helper"
    assert index.symbol_at(1) is None


def test_rule_metadata_is_attached() -> None:
    [finding] = normalize([_raw(6)], RULES, {"m.py": _index(SOURCE)}).findings
    assert (finding.rule_id, finding.category, finding.symbol) == (
        "bandit.B101",
        "security",
        "Service.run",
    )


def test_fingerprints_survive_inserted_lines() -> None:
    before = normalize([_raw(6), _raw(16)], RULES, {"m.py": _index(SOURCE)}).findings
    shifted = "# a new header comment\n\n" + SOURCE
    after = normalize([_raw(8), _raw(18)], RULES, {"m.py": _index(shifted)}).findings
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]


def test_fingerprints_survive_moving_a_function() -> None:
    moved = SOURCE.replace("def helper():\n    assert os\n", "")
    moved = moved.replace("class Service:", "def helper():\n    assert os\n\n\nclass Service:")
    lines = moved.splitlines()
    new_helper = lines.index("    assert os") + 1
    new_run = lines.index("        assert value") + 1
    before = {
        f.symbol: f.fingerprint
        for f in normalize([_raw(6), _raw(16)], RULES, {"m.py": _index(SOURCE)}).findings
    }
    after = {
        f.symbol: f.fingerprint
        for f in normalize(
            [_raw(new_run), _raw(new_helper)], RULES, {"m.py": _index(moved)}
        ).findings
    }
    assert before == after


def test_identical_lines_get_distinct_fingerprints() -> None:
    source = "def f(x):\n    assert x\n    assert x\n"
    findings = normalize([_raw(2), _raw(3)], RULES, {"m.py": _index(source)}).findings
    assert len({f.fingerprint for f in findings}) == 2


def test_inline_suppression_keeps_the_finding_aside() -> None:
    source = (
        "assert a  # roadmap: ignore[bandit.B101]\n"
        "assert b  # roadmap: ignore[B999]\n"
        "assert c  # roadmap: ignore\n"
    )
    result = normalize([_raw(1), _raw(2), _raw(3)], RULES, {"m.py": _index(source)})
    assert [f.line for f in result.findings] == [2]
    assert [f.line for f in result.suppressed] == [1, 3]


def test_output_is_sorted_whatever_the_input_order() -> None:
    index = {"m.py": _index(SOURCE)}
    forward = normalize([_raw(6), _raw(11), _raw(16)], RULES, index).findings
    backward = normalize([_raw(16), _raw(11), _raw(6)], RULES, index).findings
    assert forward == backward
    assert [f.line for f in forward] == [6, 11, 16]
