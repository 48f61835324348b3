"""GitLab Code Quality: the subset of the Code Climate issue format GitLab reads.

Each reported finding becomes ``{description, check_name, fingerprint, severity,
location: {path, lines: {begin}}}`` plus ``type`` and, when a baseline is in use,
``baseline_status``. Suppressed findings are left out (GitLab has no notion of them; the
JSON and SARIF reports keep them). Failed analyzers and per-file errors appear as
``repo-roadmap.analyzer-failed`` / ``repo-roadmap.file-error`` issues so a broken scan is
visible in the merge request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from analyzer.model import Finding, ScanResult, Severity
from analyzer.render.encode import dump_json
from analyzer.report import Report

GITLAB_SEVERITY: Mapping[Severity, str] = {
    "high": "critical",
    "medium": "major",
    "low": "minor",
    "info": "info",
}


def render_gitlab(report: Report) -> str:
    return dump_json(build_gitlab(report))


def build_gitlab(report: Report) -> list[dict[str, Any]]:
    issues = [_issue(finding) for finding in report.result.findings]
    issues.extend(_scan_problems(report.result))
    return issues


def _issue(finding: Finding) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "type": "issue",
        "description": f"{finding.message} [{finding.rule_id}]",
        "check_name": finding.rule_id,
        "fingerprint": finding.fingerprint,
        "severity": GITLAB_SEVERITY[finding.severity],
        "location": {"path": finding.path, "lines": {"begin": finding.line}},
    }
    if finding.baseline_status is not None:
        issue["baseline_status"] = finding.baseline_status
    return issue


def _scan_problems(result: ScanResult) -> list[dict[str, Any]]:
    problems = [
        _problem(
            "repo-roadmap.analyzer-failed", f"Analyzer {run.name} failed: {run.error}", ".", "major"
        )
        for run in result.analyzers
        if run.status == "failed"
    ]
    problems.extend(
        _problem(
            "repo-roadmap.file-error",
            f"{e.analyzer} could not analyze this file: {e.reason}",
            e.path,
            "minor",
        )
        for e in result.errors
    )
    return problems


def _problem(check: str, description: str, path: str, severity: str) -> dict[str, Any]:
    identity = "\0".join((check, path, description)).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(identity).hexdigest()[:32]
    return {
        "type": "issue",
        "description": description,
        "check_name": check,
        "fingerprint": digest,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": 1}},
    }
