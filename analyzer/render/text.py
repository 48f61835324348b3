"""The terminal summary, drawn with rich from the same report dict the JSON export uses."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from analyzer.model import SEVERITIES

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_STYLE = {"ok": "green", "failed": "bold red", "skipped": "dim"}
TOP_FILES = 10


def render_summary(report: dict[str, Any], console: Console) -> None:
    target = report["target"]
    findings = report["findings"]
    commit = target["git"]["commit"]
    where = f" @ {commit[:10]}" if commit else ""
    console.print(
        f"[bold]repo-roadmap[/bold] scanned [bold]{target['root']}[/bold]{where}: "
        f"{target['files_scanned']} files, {target['lines']:,} lines, {len(findings)} findings"
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
        table.add_column(severity, justify="right", style=_SEVERITY_STYLE[severity])
    table.add_column("total", justify="right", style="bold")
    counts = Counter((f["category"], f["severity"]) for f in findings)
    for category in sorted({f["category"] for f in findings}):
        row = [counts.get((category, s), 0) for s in SEVERITIES]
        table.add_row(category, *(str(n) if n else "-" for n in row), str(sum(row)))
    return table


def _top_files_table(findings: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Top {TOP_FILES} files", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("findings", justify="right")
    table.add_column("high", justify="right", style=_SEVERITY_STYLE["high"])
    per_file = Counter(f["path"] for f in findings)
    high = Counter(f["path"] for f in findings if f["severity"] == "high")
    for path, count in sorted(per_file.items(), key=lambda item: (-item[1], item[0]))[:TOP_FILES]:
        table.add_row(path, str(count), str(high.get(path, 0) or "-"))
    return table


def _analyzer_table(runs: list[dict[str, Any]]) -> Table:
    table = Table(title="Analyzers", title_justify="left")
    for column in ("analyzer", "tool version", "status", "files", "time"):
        table.add_column(column, justify="right" if column in ("files", "time") else "left")
    for run in runs:
        style = _STATUS_STYLE.get(run["status"], "")
        status = f"[{style}]{run['status']}[/{style}]"
        if run["error"]:
            status += f" ({run['error']})"
        table.add_row(run["name"], run["tool_version"], status, str(run["files"]), f"{run['duration_s']:.1f}s")
    return table


def _print_footer(report: dict[str, Any], console: Console) -> None:
    errors = report["errors"]
    if errors:
        files = len({e["path"] for e in errors})
        console.print(f"[yellow]{len(errors)} per-file errors in {files} files[/yellow] (listed under 'errors' in the JSON export)")
    suppressed = report.get("suppressed", [])
    if suppressed:
        console.print(f"{len(suppressed)} findings suppressed inline (# roadmap: ignore)")
    if any(run["status"] == "failed" for run in report["analyzers"]):
        console.print("[bold red]The scan is incomplete: at least one analyzer failed.[/bold red]")
