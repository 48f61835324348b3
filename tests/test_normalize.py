"""Normalization: rules attached, symbols found, fingerprints that survive line shifts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analyzer.model import RawFinding
from analyzer.normalize import SourceIndex, SymbolSpan, _index_one, normalize
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


@st.composite
def nested_spans(draw: st.DrawFn) -> list[SymbolSpan]:
    """Properly nested spans, as functions and classes are: each child inside its parent."""
    spans: list[SymbolSpan] = []

    def grow(start: int, end: int, prefix: str, depth: int) -> None:
        cursor = start
        for index in range(draw(st.integers(0, 3 if depth < 3 else 0))):
            if cursor > end:
                return
            child_start = draw(st.integers(cursor, end))
            child_end = draw(st.integers(child_start, end))
            name = f"{prefix}f{index}"
            spans.append(SymbolSpan(start=child_start, end=child_end, name=name))
            grow(child_start + 1, child_end, f"{name}.", depth + 1)
            cursor = child_end + 1

    grow(1, draw(st.integers(1, 60)), "", 0)
    return spans


@given(nested_spans(), st.integers(-2, 70))
def test_symbol_lookup_by_binary_search_is_the_innermost_span(
    spans: list[SymbolSpan], line: int
) -> None:
    index = SourceIndex(lines=(), spans=tuple(spans))
    holding = [s for s in spans if s.start <= line <= s.end]
    innermost = max(holding, key=lambda s: s.start, default=None)
    assert index.symbol_at(line) == (innermost.name if innermost else None)
