"""The bundled NoxPanel fixture: every ``expect`` marker fires, and nothing else does.

Only markers for tools whose analyzer is installed and ran are compared, so a fixture
marker for a plugin that is not installed does not fail this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.config import ScanConfig
from analyzer.model import ScanResult
from analyzer.plugins import discover_analyzers
from analyzer.scan import run_scan
from tests.conftest import NOXPANEL
from tests.expectations import read_markers


@pytest.fixture(scope="module")
def noxpanel_scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    config = ScanConfig(jobs=2, cache_dir=tmp_path_factory.mktemp("cache"))
    return run_scan(NOXPANEL, config)


def _tools_that_ran(result: ScanResult) -> set[str]:
    ran = {run.name for run in result.analyzers if run.status == "ok"}
    return {
        item.analyzer.tool for item in discover_analyzers() if item.analyzer and item.name in ran
    }


def test_every_analyzer_ran_cleanly(noxpanel_scan: ScanResult) -> None:
    assert [(r.name, r.error) for r in noxpanel_scan.analyzers if r.status != "ok"] == []
    assert noxpanel_scan.errors == ()


def test_findings_match_the_expect_markers_exactly(noxpanel_scan: ScanResult) -> None:
    tools = _tools_that_ran(noxpanel_scan)
    expected = {m for m in read_markers(NOXPANEL) if m[2].split(".", 1)[0] in tools}
    found = {(f.path, f.line, f.rule_id) for f in noxpanel_scan.findings}
    assert sorted(found - expected) == [], "findings without an expect marker (false positives?)"
    assert sorted(expected - found) == [], "expect markers that no analyzer reported"


def test_fixture_covers_every_kind_of_problem(noxpanel_scan: ScanResult) -> None:
    categories = {f.category for f in noxpanel_scan.findings}
    assert {"security", "typing", "dead-code", "complexity"} <= categories
    assert any(f.severity == "high" and f.confidence == "high" for f in noxpanel_scan.findings)


def test_nosec_line_is_not_reported(noxpanel_scan: ScanResult) -> None:
    nosec_lines = {
        (path.relative_to(NOXPANEL).as_posix(), number)
        for path in NOXPANEL.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "# nosec" in line
    }
    assert nosec_lines, "the fixture keeps one deliberate # nosec line"
    assert (
        not {(f.path, f.line) for f in noxpanel_scan.findings if f.tool == "bandit"} & nosec_lines
    )


def test_markers_parse(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1  # expect: bandit.B101, mypy.misc\n")
    (tmp_path / "Dockerfile").write_text(
        "# expect-next-line: infrastructure.latest-tag\nFROM python\n"
    )
    (tmp_path / "t.html").write_text("<img src=x>{# expect: frontend.img-missing-alt #}\n")
    assert read_markers(tmp_path) == {
        ("a.py", 1, "bandit.B101"),
        ("a.py", 1, "mypy.misc"),
        ("Dockerfile", 2, "infrastructure.latest-tag"),
        ("t.html", 1, "frontend.img-missing-alt"),
    }


def test_asserts_in_tests_are_suppressed_by_default_not_lost(noxpanel_scan: ScanResult) -> None:
    in_tests = [f for f in noxpanel_scan.suppressed if f.rule_id == "bandit.B101"]
    assert len(in_tests) == 17
    assert {f.path.split("/")[0] for f in in_tests} == {"tests"}
    assert {f.suppressed_by for f in in_tests} == {"path-ignored"}
