"""What CI users of ruff and bandit expect from the outputs: a finding about a whole file
keeps its baseline entry through any edit, every output agrees on "incomplete" exactly when
--strict exits 3, every location names a real file, the line formats escape what they
print, selection and severity filters, .gitignore-style globs, a bounded cache."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.cachedir import cache_units
from analyzer.config import ScanConfig
from analyzer.discover import discover_files
from analyzer.model import AnalyzerRun, Finding, ScanResult, Target
from analyzer.plugins import discover_analyzers
from analyzer.render.github import escape_data, escape_property, render_github
from analyzer.render.sarif import MAX_RESULTS, build_sarif
from analyzer.report import Report
from analyzer.rules import load_rulebook
from analyzer.scan import run_scan
from tests.conftest import run_roadmap, write_tree

_MODULE = """\
def total(values):
    return sum(values)
"""


def test_a_whole_file_finding_survives_any_edit_of_that_file_under_a_baseline(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"pkg/maths.py": _MODULE, "README.md": "# R\n"})
    baseline = tmp_path / "baseline.json"
    created = run_roadmap(
        "baseline", "create", str(root), "-q", "--select", "testing", "-o", str(baseline),
        env=cache_env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    entries = json.loads(baseline.read_text())["findings"]
    assert {e["rule_id"] for e in entries} >= {"testing.untested-module"}
    for edited in (
        "# a new first line\n" + _MODULE,
        "import os\nimport sys\n\n\n" + _MODULE.replace("sum(values)", "sum(values) or 0"),
        '"""Docstring."""\n\n\ndef mean(values):\n    return total(values) / len(values)\n\n\n'
        + _MODULE,
    ):
        (root / "pkg/maths.py").write_text(edited, encoding="utf-8")
        run = run_roadmap(
            "scan", str(root), "-q", "--select", "testing", "--baseline", str(baseline),
            "--fail-on", "low", "-f", "json", env=cache_env,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        untested = [f for f in run.json()["findings"] if f["rule_id"] == "testing.untested-module"]
        assert [(f["about"], f["baseline_status"]) for f in untested] == [("file", "baseline")]


_BROKEN = "def broken(:\n"
_CLEAN = {"app.py": "import subprocess\n\n\ndef run(c):\n    return subprocess.call(c)\n"}


@pytest.mark.parametrize(
    ("files", "extra", "incomplete"),
    [
        ({**_CLEAN, "README.md": "# R\n"}, [], False),
        ({**_CLEAN, "README.md": "# R\n", "broken.py": _BROKEN}, [], True),
        # A skipped analyzer is the user's choice, not a gap in the scan.
        ({**_CLEAN, "README.md": "# R\n"}, ["--disable", "complexity"], False),
    ],
)
def test_every_output_says_incomplete_exactly_when_strict_exits_3(
    tmp_path: Path,
    cache_env: dict[str, str],
    files: dict[str, str],
    extra: list[str],
    incomplete: bool,
) -> None:
    root = write_tree(tmp_path / "repo", files)
    out = tmp_path / "out"
    out.mkdir()
    run = run_roadmap(
        "scan", str(root), "--strict", "--select", "security,complexity,documentation",
        *extra,
        *(f"-o{fmt}:{out / fmt}" for fmt in ("json", "sarif", "markdown", "gitlab", "github",
                                             "concise")),
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == (3 if incomplete else 0), run.stderr
    report = json.loads((out / "json").read_text())
    assert report["scan_complete"] is not incomplete
    sarif = json.loads((out / "sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is not incomplete
    assert ("The scan is incomplete" in run.stdout) is incomplete
    assert ("could not be analyzed" in (out / "markdown").read_text()) is incomplete
    assert ("the scan is incomplete" in (out / "github").read_text()) is incomplete
    assert ("The scan is incomplete" in (out / "concise").read_text()) is incomplete
    assert ("the scan is incomplete" in run.stderr) is incomplete
    gitlab = json.loads((out / "gitlab").read_text())
    problems = [i for i in gitlab if i["check_name"] == "repo-roadmap.file-error"]
    # One issue per file, however many analyzers could not read it.
    assert [p["location"]["path"] for p in problems] == (["broken.py"] if incomplete else [])
    # Every location is a real file: project-level findings sit on the README.
    paths = {i["location"]["path"] for i in gitlab}
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "README.md" in paths and "README.md" in uris
    assert all((root / p).is_file() for p in paths | uris)
    for line in (out / "github").read_text().splitlines():
        file = re.search(r"file=([^,]+),", line)
        assert file is None or (root / file.group(1)).is_file(), line


def _finding(**changes: object) -> Finding:
    base = Finding(
        fingerprint="0123456789abcdef0123",
        rule_id="bandit.B602",
        tool="bandit",
        tool_code="B602",
        category="security",
        severity="high",
        confidence="high",
        message="subprocess call",
        path="app.py",
        line=3,
        column=5,
        end_line=3,
        end_column=9,
        symbol=None,
        cwe=78,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _report(*findings: Finding, root: str = "/nonexistent") -> Report:
    result = ScanResult(
        target=Target(root=root, files_scanned=1, lines=3, project_file="README.md"),
        analyzers=(
            AnalyzerRun(name="security", tool_version="1", status="ok", duration_s=0, files=1),
        ),
        findings=tuple(findings),
        measures=(),
        errors=(),
    )
    return Report(result=result, root_label=".")


def test_github_annotations_escape_values_by_githubs_rules() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    hostile = _finding(
        path="we,ird:name.py",
        message="50% done\n::error file=x.py::forged\x1b[2J",
    )
    text = render_github(_report(hostile, _finding(severity="low", line=9)))
    lines = text.splitlines()
    assert len(lines) == 2, text
    assert lines[0].startswith("::error file=we%2Cird%3Aname.py,line=3,col=5,endLine=3,")
    assert "title=bandit.B602 (high)::50%25 done\\n:\\x3aerror" in lines[0]
    assert "\x1b" not in text
    assert lines[1].startswith("::notice file=app.py,line=9,")


def test_concise_lists_path_line_col_rule_message(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "x = 1\nassert x\n", "README.md": "# R\n"})
    run = run_roadmap("scan", str(root), "-f", "concise", "--select", "security", env=cache_env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("app.py:2:1: bandit.B101 Use of assert detected")
    assert lines[-1] == "Found 1 finding (1 low)."


def test_statistics_count_findings_per_rule(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"app.py": "import pickle\nassert 1\nassert 2\npickle.loads(b'')\n"},
    )
    run = run_roadmap(
        "scan", str(root), "--statistics", "--select", "security", env=cache_env
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert re.match(r"^2\s+bandit\.B101\s+low\s+", lines[0]), lines
    assert lines[-1].endswith("findings in 3 rules") or lines[-1].endswith("rules"), lines
    refused = run_roadmap("scan", str(root), "--statistics", "-f", "json", env=cache_env)
    assert refused.returncode == 2 and "--statistics" in refused.stderr


def test_select_min_severity_and_bare_rule_codes(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"app.py": "import subprocess\nassert True\nsubprocess.call(input(), shell=True)\n"},
    )
    run = run_roadmap(
        "scan", str(root), "-q", "-f", "json", "--select", "security", "--min-severity", "high",
        "--disable-rule", "B404", env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = run.json()
    status = {a["name"]: (a["status"], a["error"]) for a in report["analyzers"]}
    assert status["security"][0] == "ok"
    assert status["typing"] == ("skipped", "not selected (--select)")
    assert report["scan_complete"] is True
    assert [f["rule_id"] for f in report["findings"]] == ["bandit.B602"]
    reasons = {f["rule_id"]: f["suppressed_by"] for f in report["suppressed"]}
    assert reasons["bandit.B101"] == "below-min-severity"
    assert reasons["bandit.B404"] == "rule-disabled"
    unknown = run_roadmap("scan", str(root), "--select", "sekurity", env=cache_env)
    assert unknown.returncode == 2 and "sekurity" in unknown.stderr


def test_globs_behave_like_gitignore_and_ruff(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            p: "X = 1\n"
            for p in (
                "tests/test_a.py",
                "pkg/tests/test_b.py",
                "pkg/core.py",
                "src/a.py",
                "src/a/b.py",
                "migrations/0001.py",
                "app/migrations/0002.py",
            )
        },
    )

    def paths(**globs: tuple[str, ...]) -> list[str]:
        return [f.path for f in discover_files(root, **globs)]

    assert paths(exclude=("tests",)) == paths(exclude=("tests/",))
    assert "tests/test_a.py" not in paths(exclude=("tests",))
    assert "pkg/tests/test_b.py" not in paths(exclude=("tests",))
    assert paths(include=("src/*.py",)) == ["src/a.py"]
    assert paths(exclude=("**/migrations/**",)) == [
        "pkg/core.py", "pkg/tests/test_b.py", "src/a.py", "src/a/b.py", "tests/test_a.py",
    ]  # fmt: skip
    assert "tests/test_a.py" in paths(exclude=("tests", "!tests/test_a.py"))


def test_sarif_keeps_the_most_severe_results_under_githubs_limit() -> None:
    findings = [
        _finding(severity=severity, line=n + 1, fingerprint=f"{n:020d}")
        for n, severity in enumerate(["low"] * 3 + ["high"] * MAX_RESULTS)
    ]
    document = build_sarif(_report(*findings), load_rulebook())
    run = document["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert {r["level"] for r in run["results"]} == {"error"}
    assert run["properties"]["omittedResults"]["count"] == 3
    assert run["properties"]["omittedResults"]["bySeverity"] == {"low": 3}


def test_our_own_security_rules_are_github_security_alerts() -> None:
    finding = _finding(
        rule_id="api.sql-string-execute", tool="api", tool_code="sql-string-execute",
        category="database", cwe=89,
    )  # fmt: skip
    whole = _finding(rule_id="testing.untested-module", tool="testing",
                     tool_code="untested-module", category="testing", severity="low",
                     about="file", line=1, cwe=None)  # fmt: skip
    document = build_sarif(_report(finding, whole), load_rulebook())
    run = document["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    sql = rules["api.sql-string-execute"]
    assert {"security", "external/cwe/cwe-89"} <= set(sql["properties"]["tags"])
    assert sql["properties"]["security-severity"] == "8.0"
    assert sql["helpUri"] == "https://cwe.mitre.org/data/definitions/89.html"
    assert "CWE-89" in sql["help"]["markdown"]
    assert "security" not in rules["testing.untested-module"]["properties"]["tags"]
    assert "informationUri" not in run["tool"]["driver"] or "pypi" not in str(
        run["tool"]["driver"]["informationUri"]
    )
    by_rule = {r["ruleId"]: r for r in run["results"]}
    stable = by_rule["testing.untested-module"]["partialFingerprints"]
    assert stable["primaryLocationLineHash"] == "0123456789abcdef:1"


def test_the_cache_stays_under_its_bound_after_100_edit_and_scan_cycles(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "VALUE = 0\n", "Dockerfile": "FROM python\n"})
    cache = tmp_path / "cache"
    limit = 40_000
    config = ScanConfig(jobs=1, cache_dir=cache, cache_max_bytes=limit)
    chosen = {"complexity", "infrastructure", "documentation"}
    loaded = tuple(item for item in discover_analyzers() if item.name in chosen)
    written = 0
    for cycle in range(100):
        (root / "app.py").write_text(f"VALUE = {cycle}\n" + "# padding\n" * 200, encoding="utf-8")
        before = sum(u.size for u in cache_units(cache))
        result = run_scan(root, config, loaded=loaded)
        assert {r.status for r in result.analyzers} == {"ok"}
        size = sum(u.size for u in cache_units(cache))
        written += max(size - before, 0)
        assert size <= limit, (cycle, size)
    assert written > 0


def test_config_prints_settings_not_python_reprs_and_the_summary_is_not_wrapped(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / ("a-rather-long-folder-name-" * 4) / "repo",
        {"pyproject.toml": "[tool.roadmap.plan]\ndevelopers = 3\n", "app.py": "X = 1\n"},
    )
    shown = run_roadmap("config", str(root), "--fail-on", "high", env=cache_env)
    assert shown.returncode == 0, shown.stderr
    assert "developers = 3" in shown.stdout and "{'developers'" not in shown.stdout
    assert re.search(r"fail_on\s*│\s*high\s*│\s*command line\s", shown.stdout)
    summary = run_roadmap("scan", str(root), "--select", "security", env=cache_env)
    first = summary.stdout.splitlines()[0]
    # Off a terminal (a CI log) the summary is not wrapped at 80 columns.
    assert len(first) > 120 and first.endswith("1 line, 0 findings"), summary.stdout
