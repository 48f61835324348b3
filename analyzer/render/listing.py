"""What the line-per-finding formats list: ``concise`` (``path:line:col: RULE message``, as
ruff and flake8 print) and ``github`` (workflow-command annotations).

Both list the reported findings (never the suppressed ones); with a baseline, only the new
ones, since a pull request is judged by what it adds. A finding about the whole project is
listed on line 1 of the project's anchor file, so every line names a real file.
"""

from __future__ import annotations

from analyzer.model import PROJECT_PATH, Finding
from analyzer.report import Report


def listed_findings(report: Report) -> tuple[Finding, ...]:
    findings = report.result.findings
    if report.baseline is not None:
        return tuple(f for f in findings if f.baseline_status != "baseline")
    return findings


def shown_path(finding: Finding, report: Report) -> str:
    if finding.path == PROJECT_PATH:
        return report.result.target.project_file or PROJECT_PATH
    return finding.path


def shown_position(finding: Finding) -> tuple[int, int]:
    """Line and column; a finding about a whole file or the project is on line 1."""
    return (finding.line, finding.column) if finding.about == "line" else (1, 1)
