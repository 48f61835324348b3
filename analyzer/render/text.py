"""The terminal summary, drawn with rich from the same report dict the JSON export uses."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table

from analyzer.completeness import Completeness
from analyzer.model import SEVERITIES
from analyzer.render.escape import escape_for_terminal
from analyzer.render.json_report import build_report
from analyzer.render.roadmap_view import tool_label
from analyzer.report import Report

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_STYLE = {"ok": "green", "failed": "bold red", "skipped": "dim"}
TOP_FILES = 10
NEW_FINDINGS_SHOWN = 20
_SUPPRESSION_LABEL = {
    "inline": "inline # roadmap: ignore",
    "rule-disabled": "by disabled rules",
    "path-ignored": "by per-path ignores",
    "whitelisted": "as framework entry points",
    "below-min-severity": "below --min-severity",
}


def escape(text: str) -> str:
    """Target text for a rich console: control sequences shown, markup taken literally."""
    return escape_markup(escape_for_terminal(text))


def render_text(report: Report) -> str:
    """The summary as plain text, for ``--format text --output FILE``."""
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    print_summary(build_report(report), console)
    return console.export_text()


def print_summary(report: dict[str, Any], console: Console) -> None:
    target = report["target"]
    findings = report["findings"]
    commit = target["git"]["commit"]
    where = f" @ {commit[:10]}" if commit else ""
    console.print(
        f"[bold]repo-roadmap[/bold] scanned [bold]{escape(target['root'])}[/bold]{where}: "
        f"{plural(target['files_scanned'], 'file')}, {plural(target['lines'], 'line')}, "
        f"{plural(len(findings), 'finding')}"
    )
    if findings:
        console.print(_category_table(findings))
        console.print(_top_files_table(findings))
    console.print(_analyzer_table(report["analyzers"]))
    _print_footer(report, console)


def _category_table(findings: list[dict[str, Any]]) -> Table:
    table = Table(title="Findings by category and severity", title_justify="left")
    table.add_column("category")
    for severity in SEVERITIES:
        table.add_column(severity, justify="right", style=SEVERITY_STYLE[severity])
    table.add_column("total", justify="right", style="bold")
    counts = Counter((f["category"], f["severity"]) for f in findings)
    for category in sorted({f["category"] for f in findings}):
        row = [counts.get((category, s), 0) for s in SEVERITIES]
        table.add_row(escape(category), *(str(n) if n else "-" for n in row), str(sum(row)))
    return table


def _top_files_table(findings: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Top {TOP_FILES} files", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("findings", justify="right")
    table.add_column("high", justify="right", style=SEVERITY_STYLE["high"])
    per_file = Counter(f["path"] for f in findings)
    high = Counter(f["path"] for f in findings if f["severity"] == "high")
    for path, count in sorted(per_file.items(), key=lambda item: (-item[1], item[0]))[:TOP_FILES]:
        # Paths come from the scanned tree: "[x]" in a file name must not be read as markup.
        table.add_row(escape(path), str(count), str(high.get(path, 0) or "-"))
    return table


def _analyzer_table(runs: list[dict[str, Any]]) -> Table:
    table = Table(title="Analyzers", title_justify="left")
    for column in ("analyzer", "tool", "status", "files", "time"):
        table.add_column(column, justify="right" if column in ("files", "time") else "left")
    for run in runs:
        style = _STATUS_STYLE.get(run["status"], "")
        status = f"[{style}]{run['status']}[/{style}]"
        if run["error"]:
            status += f" ({escape(run['error'])})"
        table.add_row(
            escape(run["name"]),
            escape(tool_label(run.get("tool", ""), run["tool_version"])),
            status,
            str(run["files"]),
            f"{run['duration_s']:.1f}s",
        )
    return table


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``; ``many`` for irregular plurals."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def _print_footer(report: dict[str, Any], console: Console) -> None:
    errors = report["errors"]
    if errors:
        files = len({e["path"] for e in errors})
        console.print(
            f"[yellow]{plural(len(errors), 'per-file error')} in {plural(files, 'file')}[/yellow]"
            " (listed under 'errors' in the JSON export)"
        )
    suppressed = report.get("suppressed", [])
    if suppressed:
        reasons = Counter(f.get("suppressed_by") or "inline" for f in suppressed)
        labels = [f"{n} {_SUPPRESSION_LABEL.get(why, why)}" for why, n in sorted(reasons.items())]
        detail = ", ".join(labels)
        verb = "was" if len(suppressed) == 1 else "were"
        console.print(
            f"{plural(len(suppressed), 'finding')} {verb} suppressed ({detail}); "
            "listed under 'suppressed' in the JSON export"
        )
    if report.get("baseline") is not None:
        _print_baseline(report, console)
    if not report["scan_complete"]:
        completeness = Completeness(
            failed_analyzers=tuple(
                r["name"] for r in report["analyzers"] if r["status"] == "failed"
            ),
            unanalyzed_files=tuple(sorted({e["path"] for e in errors})),
        )
        console.print(
            f"[bold red]The scan is incomplete: {escape(completeness.describe())}.[/bold red] "
            "--strict makes this exit 3."
        )


def _print_baseline(report: dict[str, Any], console: Console) -> None:
    baseline = report["baseline"]
    fixed, unverified = baseline["fixed"], baseline["unverified"]
    line = (
        f"Baseline: [bold]{baseline['new']:,} new[/bold], "
        f"{baseline['baseline']:,} in the baseline, {len(fixed):,} fixed"
    )
    if unverified:
        line += f", {len(unverified)} not re-checked (file or analyzer not analyzed)"
    console.print(line)
    new = [f for f in report["findings"] if f.get("baseline_status") == "new"]
    for finding in new[:NEW_FINDINGS_SHOWN]:
        style = SEVERITY_STYLE.get(finding["severity"], "")
        console.print(
            f"  new [{style}]{finding['severity']}[/{style}] "
            f"{escape(finding['path'])}:{finding['line']} "
            f"{escape(finding['rule_id'])} {escape(finding['message'])}",
            highlight=False,
            markup=True,
        )
    if len(new) > NEW_FINDINGS_SHOWN:
        more = len(new) - NEW_FINDINGS_SHOWN
        console.print(f"  ... and {plural(more, 'more new finding')} (see the JSON export)")
