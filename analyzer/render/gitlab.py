"""GitLab Code Quality: the subset of the Code Climate issue format GitLab reads.

Each reported finding becomes ``{description, check_name, fingerprint, severity,
location: {path, lines: {begin}}}`` plus ``type`` and, when a baseline is in use,
``baseline_status``. A finding about the whole project (path ``"."``) is placed on line 1
of the project's anchor file (``Target.project_file``), so the merge-request link works.
Suppressed findings are left out (GitLab has no notion of them; the JSON keeps them).
A failed analyzer is one ``repo-roadmap.analyzer-failed`` issue, and a file some analyzers
could not analyze is one ``repo-roadmap.file-error`` issue naming them all, so a broken scan
is visible in the merge request without repeating itself.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from analyzer.model import PROJECT_PATH, FileError, Finding, ScanResult, Severity
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
    anchor = report.result.target.project_file or PROJECT_PATH
    issues = [_issue(finding, anchor) for finding in report.result.findings]
    issues.extend(_scan_problems(report.result, anchor))
    return issues


def _issue(finding: Finding, anchor: str) -> dict[str, Any]:
    about = " (about the project as a whole)" if finding.about == "project" else ""
    issue: dict[str, Any] = {
        "type": "issue",
        "description": f"{finding.message}{about} [{finding.rule_id}]",
        "check_name": finding.rule_id,
        "fingerprint": finding.fingerprint,
        "severity": GITLAB_SEVERITY[finding.severity],
        "location": {
            "path": anchor if finding.path == PROJECT_PATH else finding.path,
            "lines": {"begin": finding.line},
        },
    }
    if finding.baseline_status is not None:
        issue["baseline_status"] = finding.baseline_status
    return issue


def _scan_problems(result: ScanResult, anchor: str) -> list[dict[str, Any]]:
    problems = [
        _problem(
            "repo-roadmap.analyzer-failed",
            f"Analyzer {run.name} failed: {run.error}",
            anchor,
            "major",
        )
        for run in result.analyzers
        if run.status == "failed"
    ]
    by_file: dict[str, list[FileError]] = defaultdict(list)
    for error in result.errors:
        by_file[error.path].append(error)
    problems.extend(
        _problem(
            "repo-roadmap.file-error",
            _file_error_description(errors),
            anchor if path == PROJECT_PATH else path,
            "minor",
        )
        for path, errors in sorted(by_file.items())
    )
    return problems


def _file_error_description(errors: list[FileError]) -> str:
    """One sentence for a file: the analyzers that could not analyze it, and why (the same
    reason, such as a syntax error, is said once)."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for error in sorted(errors, key=lambda e: (e.reason, e.analyzer)):
        reasons[error.reason].append(error.analyzer)
    parts = [f"{reason} ({', '.join(names)})" for reason, names in reasons.items()]
    return f"This file could not be analyzed: {'; '.join(parts)}"


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
