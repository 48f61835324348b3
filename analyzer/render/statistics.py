"""``--statistics``: how many findings each rule has, most first, as ruff prints them."""

from __future__ import annotations

from collections import Counter

from analyzer.model import SEVERITIES
from analyzer.render.escape import escape_for_terminal
from analyzer.render.listing import listed_findings
from analyzer.report import Report
from analyzer.rules import load_rulebook


def render_statistics(report: Report) -> str:
    findings = listed_findings(report)
    counts = Counter(f.rule_id for f in findings)
    severity: dict[str, str] = {}
    for finding in sorted(findings, key=lambda f: SEVERITIES.index(f.severity), reverse=True):
        severity[finding.rule_id] = finding.severity  # the most severe is written last
    rules = load_rulebook(report.rule_dirs)
    width = max((len(f"{n:,}") for n in counts.values()), default=1)
    id_width = max((len(rule_id) for rule_id in counts), default=0)
    lines = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        tool, _, code = rule_id.partition(".")
        title = (rules.find(rule_id) or rules.lookup(tool, code)).title
        lines.append(
            f"{count:>{width},}  {rule_id:<{id_width}}  {severity[rule_id]:<6}  "
            f"{escape_for_terminal(title)}"
        )
    noun = "finding" if len(findings) == 1 else "findings"
    lines.append(
        f"{len(findings):,} {noun} in {len(counts):,} {'rule' if len(counts) == 1 else 'rules'}"
    )
    return "\n".join(lines) + "\n"
