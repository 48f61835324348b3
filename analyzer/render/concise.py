"""``--format concise``: one line per finding, ``path:line:col: RULE message``, as ruff and
flake8 print them, so editors and ``grep`` can jump to each; then a count.

Paths and messages come from the scanned tree and are escaped for the terminal.
"""

from __future__ import annotations

from collections import Counter

from analyzer.completeness import assess_completeness
from analyzer.model import SEVERITIES
from analyzer.render.escape import escape_for_terminal
from analyzer.render.listing import listed_findings, shown_path, shown_position
from analyzer.report import Report


def render_concise(report: Report) -> str:
    findings = listed_findings(report)
    lines = []
    for finding in findings:
        line, column = shown_position(finding)
        path = escape_for_terminal(shown_path(finding, report))
        message = escape_for_terminal(finding.message)
        lines.append(f"{path}:{line}:{column}: {finding.rule_id} {message}")
    lines.append(_summary(report, len(findings)))
    return "\n".join(lines) + "\n"


def _summary(report: Report, count: int) -> str:
    severities = Counter(f.severity for f in listed_findings(report))
    detail = ", ".join(f"{severities[s]} {s}" for s in SEVERITIES if severities[s])
    noun = "finding" if count == 1 else "findings"
    new = " new" if report.baseline is not None else ""
    text = f"Found {count:,}{new} {noun}" + (f" ({detail})" if detail else "") + "."
    completeness = assess_completeness(report.result)
    if not completeness.complete:
        text += f" The scan is incomplete: {escape_for_terminal(completeness.describe())}."
    return text
