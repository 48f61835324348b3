"""GitLab Code Quality: the Code Climate subset GitLab reads, one issue per finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analyzer.baseline import compare, create_baseline
from analyzer.render.gitlab import build_gitlab
from analyzer.report import Report
from tests.conftest import run_roadmap, write_tree
from tests.test_sarif import _finding, _result, _tree

SHELL_CALL = "import subprocess\n\n\ndef run(c):\n    return subprocess.call(c, shell=True)\n"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _check_shape(issue: dict[str, Any]) -> None:
    assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
    assert isinstance(issue["description"], str) and issue["description"]
    assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
    assert issue["severity"] in GITLAB_SEVERITIES
    assert isinstance(issue["location"]["path"], str)
    assert not issue["location"]["path"].startswith("/")
    assert isinstance(issue["location"]["lines"]["begin"], int)
    assert issue["location"]["lines"]["begin"] >= 1


def test_each_finding_is_one_issue_with_mapped_severity(tmp_path: Path) -> None:
    findings = (
        _finding(),
        _finding(line=3, severity="medium", fingerprint="m" * 20),
        _finding(line=3, severity="low", fingerprint="l" * 20),
        _finding(line=3, severity="info", fingerprint="i" * 20),
    )
    issues = build_gitlab(Report(result=_result(_tree(tmp_path), findings), root_label="."))
    for issue in issues:
        _check_shape(issue)
    by_fingerprint = {issue["fingerprint"]: issue for issue in issues}
    assert by_fingerprint["0123456789abcdef0123"] == {
        "type": "issue",
        "description": "subprocess call with shell=True identified, security issue. [bandit.B602]",
        "check_name": "bandit.B602",
        "fingerprint": "0123456789abcdef0123",
        "severity": "critical",
        "location": {"path": "pkg/app.py", "lines": {"begin": 2}},
    }
    assert [by_fingerprint[c * 20]["severity"] for c in "mli"] == ["major", "minor", "info"]


def test_scan_problems_are_visible_and_fingerprints_unique(tmp_path: Path) -> None:
    issues = build_gitlab(Report(result=_result(_tree(tmp_path), (_finding(),)), root_label="."))
    checks = [issue["check_name"] for issue in issues]
    assert checks == ["bandit.B602", "repo-roadmap.analyzer-failed", "repo-roadmap.file-error"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_baseline_status_is_marked(tmp_path: Path) -> None:
    old, new = _finding(), _finding(line=3, fingerprint="n" * 20)
    comparison = compare((old, new), create_baseline((old,)))
    result = _result(_tree(tmp_path), comparison.findings)
    issues = build_gitlab(Report(result=result, root_label=".", baseline=comparison))
    assert [i.get("baseline_status") for i in issues[:2]] == ["baseline", "new"]


def test_real_scan_writes_a_gitlab_report(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"app.py": SHELL_CALL},
    )
    out = tmp_path / "gl-code-quality-report.json"
    run = run_roadmap(
        "scan", str(repo), "--disable", "typing", "-q", "-o", f"gitlab:{out}", env=cache_env
    )
    assert run.returncode == 0, run.stderr
    issues = json.loads(out.read_text())
    assert isinstance(issues, list) and issues
    for issue in issues:
        _check_shape(issue)
    assert "bandit.B602" in {issue["check_name"] for issue in issues}
