"""``--format github``: GitHub Actions workflow commands, so a pull request shows each
finding inline (``::error file=app.py,line=3,col=5,title=…::message``) without code scanning.

GitHub decodes ``%25``, ``%0D`` and ``%0A`` in a command's message, and also ``%3A`` and
``%2C`` in its properties; everything else is literal. Target text (paths, messages) is
first made inert by the terminal escaper (it may hold its own ``::`` commands or control
characters), then escaped by those rules, so no value can end the command or start another.
High severity is an ``error``, medium a ``warning``, low and info a ``notice``.
"""

from __future__ import annotations

from collections.abc import Mapping

from analyzer.completeness import assess_completeness
from analyzer.model import Finding, Severity
from analyzer.render.escape import escape_for_terminal
from analyzer.render.listing import listed_findings, shown_path, shown_position
from analyzer.report import Report

COMMANDS: Mapping[Severity, str] = {
    "high": "error",
    "medium": "warning",
    "low": "notice",
    "info": "notice",
}


def escape_data(text: str) -> str:
    """A workflow command's message, by GitHub's rules."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, by GitHub's rules."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = [_annotation(finding, report) for finding in listed_findings(report)]
    completeness = assess_completeness(report.result)
    if not completeness.complete:
        text = f"the scan is incomplete: {completeness.describe()}"
        lines.append(f"::warning title=repo-roadmap::{escape_data(escape_for_terminal(text))}")
    return "".join(f"{line}\n" for line in lines)


def _annotation(finding: Finding, report: Report) -> str:
    line, column = shown_position(finding)
    properties = [
        ("file", shown_path(finding, report)),
        ("line", str(line)),
        ("col", str(column)),
    ]
    if finding.about == "line" and finding.end_line is not None and finding.end_line >= line:
        properties.append(("endLine", str(finding.end_line)))
        if finding.end_column is not None and finding.end_line == line:
            properties.append(("endColumn", str(finding.end_column)))
    properties.append(("title", f"{finding.rule_id} ({finding.severity})"))
    rendered = ",".join(
        f"{name}={escape_property(escape_for_terminal(value))}" for name, value in properties
    )
    message = escape_data(escape_for_terminal(finding.message))
    return f"::{COMMANDS[finding.severity]} {rendered}::{message}"
