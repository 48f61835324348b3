"""The testing analyzer: VALID / INVALID project trees per rule, and the three coverage
formats it reads (never running the target's tests)."""

from __future__ import annotations

import ast
import itertools
import json
import sqlite3
import tomllib
from pathlib import Path

import pytest

from analyzer.analyzers.testing import TestingAnalyzer
from analyzer.analyzers.testing.coverage_data import numbits_to_lines, statement_lines
from analyzer.analyzers.testing.paths import match_recorded_paths
from analyzer.model import AnalysisOutput
from analyzer.resources import rules_dir
from analyzer.rules import load_rulebook
from tests.conftest import analyze_tree

MODULE = (
    'def add(a, b):\n    """Add."""\n    total = a + b\n    return total\n\n\n'
    "def sub(a, b):\n    return a - b\n"
)
# Statements of MODULE: lines 1, 3, 4, 7, 8.


def cobertura(filename: str, hits: dict[int, int], source: str = "/ci/checkout") -> str:
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in sorted(hits.items()))
    covered = sum(1 for h in hits.values() if h)
    rate = covered / len(hits)
    return (
        f'<?xml version="1.0" ?>\n<coverage line-rate="{rate:.4f}" lines-valid="{len(hits)}" '
        f'lines-covered="{covered}">'
        f"<sources><source>{source}</source></sources><packages><package name='p'><classes>"
        f'<class name="m" filename="{filename}"><methods/><lines>{lines}</lines></class>'
        "</classes></package></packages></coverage>\n"
    )


TESTED = "from pkg.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
HALF = {1: 1, 3: 1, 4: 1, 7: 1, 8: 0}
LOW = {1: 1, 3: 0, 4: 0, 7: 1, 8: 0}

RULES = tomllib.loads((rules_dir() / "testing.toml").read_text(encoding="utf-8"))["rules"]
# (rule code, kind, files): VALID trees must not produce the rule, INVALID ones must. The
# untested-module trees are kept next to the rule in rules/testing.toml; the coverage ones
# are built here, around generated coverage reports.
CASES: list[tuple[str, str, dict[str, str]]] = [
    *(
        ("untested-module", kind, dict(tree))
        for kind in ("valid", "invalid")
        for tree in RULES["untested-module"][kind]
    ),
    (
        "low-coverage",
        "valid",
        {
            "pkg/calc.py": MODULE,
            "tests/test_calc.py": TESTED,
            "coverage.xml": cobertura("pkg/calc.py", HALF),
        },
    ),
    (
        "low-coverage",
        "valid",
        {"pkg/calc.py": MODULE, "coverage.xml": cobertura("pkg/calc.py", LOW)},
    ),
    (
        "low-coverage",
        "invalid",
        {
            "pkg/calc.py": MODULE,
            "tests/test_calc.py": TESTED,
            "coverage.xml": cobertura("pkg/calc.py", LOW),
        },
    ),
    (
        "no-coverage-data",
        "valid",
        {"pkg/calc.py": MODULE, "coverage.xml": cobertura("pkg/calc.py", HALF)},
    ),
    ("no-coverage-data", "invalid", {"pkg/calc.py": MODULE}),
]


def run_testing(root: Path, files: dict[str, str | bytes], listed: bool = True) -> AnalysisOutput:
    python_only = None if listed else [n for n in files if n.endswith(".py")]
    output: AnalysisOutput = analyze_tree(TestingAnalyzer(), root, files, python_only)
    return output


@pytest.mark.parametrize(
    ("code", "kind", "files"),
    [pytest.param(*c, id=f"{c[0]}-{c[1]}-{i}") for i, c in enumerate(CASES)],
)
def test_rule_case(tmp_path: Path, code: str, kind: str, files: dict[str, str]) -> None:
    output = run_testing(tmp_path, dict(files))
    assert output.errors == ()
    fired = [f for f in output.findings if f.tool_code == code]
    assert bool(fired) == (kind == "invalid")


def test_every_rule_has_a_valid_and_an_invalid_case() -> None:
    codes = set(load_rulebook().tools["testing"].rules)
    assert (
        {c for c, k, _ in CASES if k == "valid"}
        == codes
        == {c for c, k, _ in CASES if k == "invalid"}
    )


def test_measures_from_cobertura(tmp_path: Path) -> None:
    files = {
        "pkg/calc.py": MODULE,
        "tests/test_calc.py": TESTED,
        "coverage.xml": cobertura("pkg/calc.py", HALF),
    }
    output = run_testing(tmp_path, dict(files))
    measures = {(m.name, m.path): m.value for m in output.measures}
    assert measures[("testing.coverage_percent", None)] == 80.0
    assert measures[("testing.file_coverage_percent", "pkg/calc.py")] == 80.0
    assert measures[("testing.statements", "pkg/calc.py")] == 5
    assert measures[("testing.covered_statements", "pkg/calc.py")] == 4
    assert measures[("testing.test_files", None)] == 1
    assert measures[("testing.source_modules", None)] == 1
    assert measures[("testing.test_to_code_ratio", None)] == pytest.approx(3 / 6, abs=0.001)


def test_cobertura_with_a_relative_source_prefixes_the_filename(tmp_path: Path) -> None:
    xml = cobertura("calc.py", HALF, source="pkg")
    output = run_testing(
        tmp_path, {"pkg/calc.py": MODULE, "other/calc.py": MODULE, "coverage.xml": xml}
    )
    assert ("testing.statements", "pkg/calc.py") in {(m.name, m.path) for m in output.measures}


def test_coverage_json(tmp_path: Path) -> None:
    report = {
        "meta": {"version": "7.6.1"},
        "files": {"pkg/calc.py": {"summary": {"num_statements": 5, "covered_lines": 1}}},
        "totals": {"percent_covered": 20.0},
    }
    output = run_testing(tmp_path, {"pkg/calc.py": MODULE, "coverage.json": json.dumps(report)})
    measures = {(m.name, m.path): m.value for m in output.measures}
    assert measures[("testing.coverage_percent", None)] == 20.0
    assert measures[("testing.covered_statements", "pkg/calc.py")] == 1


def lines_to_numbits(lines: set[int]) -> bytes:
    data = bytearray(max(lines) // 8 + 1)
    for line in lines:
        data[line // 8] |= 1 << (line % 8)
    return bytes(data)


def write_coverage_db(path: Path, recorded: dict[str, set[int]], arcs: bool = False) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE meta (key text, value text);"
        "CREATE TABLE file (id integer primary key, path text);"
        "CREATE TABLE context (id integer primary key, context text);"
        "CREATE TABLE line_bits (file_id integer, context_id integer, numbits blob);"
        "CREATE TABLE arc (file_id integer, context_id integer, fromno integer, tono integer);"
    )
    connection.execute("INSERT INTO context VALUES (1, '')")
    for index, (name, lines) in enumerate(sorted(recorded.items()), start=1):
        connection.execute("INSERT INTO file VALUES (?, ?)", (index, name))
        if arcs:
            pairs = sorted(lines)
            connection.executemany(
                "INSERT INTO arc VALUES (?, 1, ?, ?)",
                [
                    (index, -1, pairs[0]),
                    *((index, a, b) for a, b in itertools.pairwise(pairs)),
                ],
            )
        else:
            connection.execute(
                "INSERT INTO line_bits VALUES (?, 1, ?)", (index, lines_to_numbits(lines))
            )
    connection.commit()
    connection.close()


@pytest.mark.parametrize("arcs", [False, True])
def test_coverage_sqlite_with_absolute_paths_from_another_machine(
    tmp_path: Path, arcs: bool
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "calc.py").write_text(MODULE)
    write_coverage_db(
        tmp_path / ".coverage", {"/home/ci/work/repo/pkg/calc.py": {1, 3, 4, 7}}, arcs=arcs
    )
    # .coverage is usually git-ignored, so it is found at the root even when not discovered.
    output = run_testing(tmp_path, {"pkg/calc.py": MODULE}, listed=False)
    measures = {(m.name, m.path): m.value for m in output.measures}
    assert measures[("testing.statements", "pkg/calc.py")] == 5
    assert measures[("testing.covered_statements", "pkg/calc.py")] == 4
    assert measures[("testing.coverage_percent", None)] == 80.0


def test_data_file_is_opened_read_only(tmp_path: Path) -> None:
    write_coverage_db(tmp_path / ".coverage", {"pkg/calc.py": {1}})
    before = (tmp_path / ".coverage").read_bytes()
    run_testing(tmp_path, {"pkg/calc.py": MODULE})
    assert (tmp_path / ".coverage").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".coverage", "pkg"]


def test_entity_declarations_are_refused_and_the_next_format_is_used(tmp_path: Path) -> None:
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]>'
        '<coverage line-rate="1">&a;</coverage>'
    )
    report = {
        "files": {"pkg/calc.py": {"summary": {"num_statements": 5, "covered_lines": 5}}},
        "totals": {"percent_covered": 100},
    }
    output = run_testing(
        tmp_path,
        {"pkg/calc.py": MODULE, "coverage.xml": hostile, "coverage.json": json.dumps(report)},
    )
    assert [(e.path, "entity" in e.reason) for e in output.errors] == [("coverage.xml", True)]
    assert ("testing.coverage_percent", None, 100.0) in {
        (m.name, m.path, m.value) for m in output.measures
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("coverage.xml", "<coverage"),
        ("coverage.json", "[1, 2]"),
        (".coverage", b"not sqlite at all"),
    ],
)
def test_unreadable_coverage_is_a_file_error_and_coverage_is_not_measured(
    tmp_path: Path, name: str, content: str | bytes
) -> None:
    output = run_testing(tmp_path, {"pkg/calc.py": MODULE, name: content})
    assert [e.path for e in output.errors] == [name]
    assert "no-coverage-data" in {f.tool_code for f in output.findings}


def test_numbits_round_trip() -> None:
    assert numbits_to_lines(lines_to_numbits({1, 7, 8, 200})) == [1, 7, 8, 200]


def test_statement_lines_skip_docstrings_and_count_decorated_defs_once() -> None:
    tree = ast.parse('"""Doc."""\nimport os\n\n@dec\ndef f():\n    """Doc."""\n    return os\n')
    assert statement_lines(tree) == {2, 4, 7}


def test_recorded_paths_match_by_longest_tail_and_ambiguity_is_dropped() -> None:
    known = ["src/pkg/a.py", "pkg/b.py", "x/util.py", "y/util.py"]
    matched = match_recorded_paths(
        ["/ci/src/pkg/a.py", "C:\\w\\pkg\\b.py", "/z/util.py", "/q/none.py"], known
    )
    assert matched == {"/ci/src/pkg/a.py": "src/pkg/a.py", "C:\\w\\pkg\\b.py": "pkg/b.py"}
