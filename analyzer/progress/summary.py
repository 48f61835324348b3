"""The one-screen terminal summary of ``roadmap progress``. Every piece of report text
(titles, messages, paths, file names) goes through the terminal escaper."""

from __future__ import annotations

import io
from collections import Counter
from typing import Final

from rich.console import Console
from rich.table import Table

from analyzer.model import SEVERITIES
from analyzer.progress.compare import display_name
from analyzer.progress.markdown import metric_movement, schedule_words
from analyzer.progress.outcome import Progress
from analyzer.render.numbers import format_number
from analyzer.render.text import SEVERITY_STYLE, escape, plural

RECOMMENDATIONS_SHOWN: Final = 12
METRICS_SHOWN: Final = 6
WORST_SHOWN: Final = 5
_STATUS_STYLE: Final = {
    "done": "green",
    "in progress": "yellow",
    "not started": "dim",
    "not measurable": "dim",
}


def render_progress_text(progress: Progress) -> str:
    """The summary as plain text, for ``-o text:FILE``."""
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    print_progress(progress, console)
    return console.export_text()


def print_progress(progress: Progress, console: Console) -> None:
    _print_heading(progress, console)
    _print_recommendations(progress, console)
    _print_metrics(progress, console)
    _print_debt(progress, console)


def _print_heading(progress: Progress, console: Console) -> None:
    plan = progress.plan
    name = display_name(progress)
    started = progress.schedule.start
    since = f", started {started.isoformat()}" if started else ""
    console.print(
        f"[bold]roadmap progress[/bold] of [bold]{escape(name)}[/bold] on "
        f"{progress.today.isoformat()}: the roadmap in {escape(plan.source)}{since}, "
        f"compared with {escape(progress.now.source)}",
        highlight=False,
    )
    done = len(progress.with_status("done"))
    started_count = len(progress.with_status("in progress"))
    waiting = len(progress.with_status("not started"))
    hours = progress.hours
    share = f" ({round(progress.hours_left / hours * 100)}%)" if hours else ""
    console.print(
        f"Recommendations: [green]{done} done[/green], {started_count} in progress, "
        f"{waiting} not started, of {len(progress.recommendations)}; "
        f"{format_number(round(progress.hours_left, 1))} of "
        f"{format_number(round(hours, 1))} hours left{share}",
        highlight=False,
    )
    headline, basis = schedule_words(progress.schedule)
    complete = sum(1 for phase in progress.phases if phase.status == "complete")
    console.print(
        f"Schedule: [bold]{escape(headline)}[/bold] ({escape(basis)}); "
        f"{complete} of {plural(len(progress.phases), 'phase')} complete",
        highlight=False,
    )
    counts = progress.counts
    extra = f"; {counts.unverified:,} not re-checked" if counts.unverified else ""
    if counts.fixed_unedited:
        extra += f"; {counts.fixed_unedited:,} of the fixed in files not edited since"
    moved = f" ({counts.moved:,} moved)" if counts.moved else ""
    console.print(
        f"Findings of the plan: {counts.fixed:,} fixed, {counts.suppressed:,} suppressed, "
        f"{counts.open:,} open{moved} of {counts.total:,}{extra}",
        highlight=False,
    )
    if not progress.now.scan_complete:
        console.print(
            "[bold red]The scan is incomplete: findings it could not check count as open."
            "[/bold red]"
        )


def _print_recommendations(progress: Progress, console: Console) -> None:
    if not progress.recommendations:
        return
    table = Table(title="Recommendations", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("status", no_wrap=True)
    table.add_column("closed", justify="right")
    table.add_column("hours left", justify="right")
    table.add_column("planned", no_wrap=True)
    table.add_column("pull request", overflow="ellipsis", no_wrap=True, max_width=70)
    for number, rec in enumerate(progress.recommendations[:RECOMMENDATIONS_SHOWN], start=1):
        style = _STATUS_STYLE[rec.status]
        weeks = f"wk {rec.start_week}-{rec.end_week}" if rec.scheduled else "backlog"
        if rec.start_week == rec.end_week:
            weeks = f"wk {rec.start_week}"
        late = rec.due and rec.status != "done"
        table.add_row(
            str(number),
            f"[{style}]{rec.status}[/{style}]",
            f"{rec.counts.closed}/{rec.counts.total}" if rec.counts.total else "-",
            format_number(round(rec.hours_left, 1)),
            f"[red]{weeks} overdue[/red]" if late else weeks,
            escape(rec.title),
        )
    console.print(table)
    hidden = len(progress.recommendations) - RECOMMENDATIONS_SHOWN
    if hidden > 0:
        console.print(f"  ... and {hidden:,} more (see the Markdown or JSON report)")


def _print_metrics(progress: Progress, console: Console) -> None:
    moved = [m for m in progress.metrics if m.change in ("better", "worse")]
    if moved:
        console.print("Metrics that moved:")
    for metric in moved[:METRICS_SHOWN]:
        baseline = "-" if metric.baseline is None else format_number(metric.baseline)
        now = "-" if metric.now is None else format_number(metric.now)
        target = "" if metric.target is None else f" (target {format_number(metric.target)})"
        style = "green" if metric.change == "better" else "red"
        console.print(
            f"  {escape(metric.name)}: {baseline} -> {now}{target} "
            f"[{style}]{escape(metric_movement(metric))}[/{style}]",
            highlight=False,
        )
    if len(moved) > METRICS_SHOWN:
        console.print(f"  ... and {len(moved) - METRICS_SHOWN:,} more")
    lost = sum(1 for m in progress.metrics if m.measured == "then only")
    gained = sum(1 for m in progress.metrics if m.measured == "now only")
    if lost or gained:
        parts = [f"{plural(lost, 'metric')} measured then but not now"] if lost else []
        parts += [f"{plural(gained, 'metric')} measured now for the first time"] if gained else []
        console.print(f"Metrics: {'; '.join(parts)} (see the report)")


def _print_debt(progress: Progress, console: Console) -> None:
    debt = progress.new_debt
    if not debt.findings and not debt.returning:
        console.print("New debt: none")
        return
    by_severity = Counter(item.finding.severity for item in debt.findings)
    detail = ", ".join(f"{by_severity[s]} {s}" for s in SEVERITIES if by_severity[s])
    came_back = f"; {len(debt.returning):,} fixed and back" if debt.returning else ""
    old = f"; {debt.on_old_lines:,} on lines already there" if debt.on_old_lines else ""
    console.print(
        f"New debt: [bold]{plural(len(debt.findings), 'new finding')}[/bold]"
        f"{f' ({detail})' if detail else ''}{old}{came_back}",
        highlight=False,
    )
    for item in debt.findings[:WORST_SHOWN]:
        finding = item.finding
        style = SEVERITY_STYLE[finding.severity]
        console.print(
            f"  [{style}]{finding.severity}[/{style}] {escape(finding.path)}:{finding.line} "
            f"{escape(finding.rule_id)} {escape(finding.message)}",
            highlight=False,
        )
    if len(debt.findings) > WORST_SHOWN:
        more = len(debt.findings) - WORST_SHOWN
        console.print(f"  ... and {more:,} more (see the JSON report)")
