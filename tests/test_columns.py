"""Columns are Unicode code points in every output, whatever unit each tool counted in:
``ast`` (bandit, radon, our docstring and Python checks) counts UTF-8 bytes, libcst counts
code points and mypy has a unit of its own. Each is converted once, in normalize."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.columns import to_code_points
from analyzer.config import ScanConfig
from analyzer.model import Finding
from analyzer.scan import run_scan
from tests.conftest import run_roadmap, write_tree

_LINE = '    label = "héllo wörld ✓"; subprocess.call(command, shell=True)'


def test_utf8_byte_offsets_become_code_points() -> None:
    # The example: B602 sits at byte column 34, character column 30.
    assert _LINE.index("subprocess") + 1 == 30
    assert len(_LINE[:29].encode()) + 1 == 34
    assert to_code_points(_LINE, 34, "utf-8-bytes") == 30
    assert to_code_points(_LINE, 30, "code-points") == 30
    assert to_code_points("plain ascii", 7, "utf-8-bytes") == 7
    # Past the end of the line (an exclusive end column) keeps the distance beyond it.
    assert to_code_points("é", 4, "utf-8-bytes") == 3


@pytest.mark.parametrize("prefix", ["é", "éé", "✓", "😀", "a", "wörld ✓ "])
def test_mypy_columns_become_code_points(prefix: str) -> None:
    line = f'x = "{prefix}"; zz()'
    target = line.index("zz")
    before = line[:target]
    mypy_value = 2 * len(before) - len(before.encode()) + 1
    assert to_code_points(line, mypy_value, "mypy") == target + 1


def test_the_installed_mypy_counts_columns_as_the_adapter_assumes(tmp_path: Path) -> None:
    """Fails loudly when a mypy release changes its column unit (see analyzer/columns.py)."""
    for prefix in ("é", "✓", "😀", "abc"):
        line = f'x = "{prefix}"; zz()'
        (tmp_path / "probe.py").write_text(line + "\n", encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-I", "-m", "mypy", "--output", "json", "--no-incremental",
             "--config-file=", "probe.py"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        record = json.loads(completed.stdout.splitlines()[0])
        before = line[: line.index("zz")]
        assert record["column"] == 2 * len(before) - len(before.encode()), (prefix, record)


_SOURCE = f'''\
"""Módulo de ejemplo."""
import subprocess


def run(command):
{_LINE}


class Señal:
    pass


def décide(value: int) -> int:
    texte = "ça"; return value + "✓"  # noqa
'''


def _scan(root: Path, tmp_path: Path) -> tuple[Finding, ...]:
    result = run_scan(root, ScanConfig(jobs=1, cache_dir=tmp_path / "cache"))
    return result.findings


def _column_of(line: str, token: str) -> int:
    return line.index(token) + 1


def test_every_analyzer_reports_code_point_columns_on_non_ascii_lines(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": _SOURCE})
    lines = _SOURCE.splitlines()
    findings = _scan(root, tmp_path)
    by_rule = {f.rule_id: f for f in findings}
    b602 = by_rule["bandit.B602"]
    assert (b602.line, b602.column) == (6, _column_of(lines[5], "subprocess.call"))
    # end_column is exclusive and counted on the end line, in code points too.
    assert b602.end_column == len(lines[5]) + 1
    mypy = next(f for f in findings if f.tool == "mypy" and f.line == 14)
    assert mypy.column == _column_of(lines[13], '"✓"')
    docstring = next(f for f in findings if f.rule_id == "documentation.missing-docstring")
    assert docstring.column == 1


def test_sarif_and_gitlab_columns_are_code_points(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": _SOURCE})
    sarif_path = tmp_path / "out.sarif"
    run = run_roadmap(
        "scan", str(root), "-q", "--select", "security", "-o", f"sarif:{sarif_path}",
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    assert sarif["runs"][0]["columnKind"] == "unicodeCodePoints"
    regions = [
        r["locations"][0]["physicalLocation"]["region"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "bandit.B602"
    ]
    assert regions and regions[0]["startColumn"] == 30
