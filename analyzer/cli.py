"""The ``roadmap`` command line. The only module that talks to the terminal.

Exit codes: 0 success; 2 usage error or unreadable target.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analyzer import __version__
from analyzer.analyze import Progress as TaskProgress
from analyzer.analyze import ProgressCallback
from analyzer.config import ConfigError, ScanConfig, apply_project_table, read_project_table
from analyzer.plugins import discover_analyzers
from analyzer.render.json_report import build_report, dumps
from analyzer.render.text import render_summary
from analyzer.rules import RuleError
from analyzer.scan import run_scan, safe_version

EXIT_OK = 0
EXIT_USAGE = 2
FORMATS = ("text", "json")


class UsageError(Exception):
    """A problem with how the command was called; reported in one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roadmap", description="Scan a Python repository and plan its improvement as pull requests."
    )
    parser.add_argument("--version", action="version", version=f"roadmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    scan = commands.add_parser("scan", help="scan a repository and report findings")
    scan.add_argument("path", type=Path, help="the repository (a directory) to scan")
    scan.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    scan.add_argument("--output", "-o", type=Path, help="write the report to this file instead of stdout")
    scan.add_argument("--include", action="append", default=[], metavar="GLOB", help="only scan matching files")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching files")
    scan.add_argument("--disable", action="append", default=[], metavar="ANALYZER", help="do not run an analyzer")
    scan.add_argument("--jobs", "-j", type=_positive_int, help="worker processes (default: CPU count)")
    scan.add_argument("--timeout", type=float, help="seconds each analyzer may run (default: 1800)")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    commands.add_parser("analyzers", help="list installed analyzers and their tool versions")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    err = Console(stderr=True)
    try:
        if args.command == "analyzers":
            return list_analyzers(Console())
        return scan_command(args, err)
    except (UsageError, ConfigError, RuleError) as exc:
        err.print(f"roadmap: error: {exc}", highlight=False, markup=False)
        return EXIT_USAGE


def list_analyzers(console: Console) -> int:
    table = Table(title="Installed analyzers", title_justify="left")
    for column in ("name", "tool", "tool version", "scope", "status"):
        table.add_column(column)
    for item in discover_analyzers():
        if item.analyzer is None:
            table.add_row(item.name, "-", "-", "-", f"[red]broken: {item.error}[/red]")
            continue
        analyzer = item.analyzer
        table.add_row(analyzer.name, analyzer.tool, safe_version(analyzer), analyzer.scope, "[green]enabled[/green]")
    console.print(table)
    return EXIT_OK


def scan_command(args: argparse.Namespace, err: Console) -> int:
    root: Path = args.path
    if not root.exists():
        raise UsageError(f"{root} does not exist")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; point roadmap at a repository folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root} is not readable")
    _check_writable(args.output)
    config = _build_config(root, args)
    with _progress(err, quiet=args.quiet) as on_progress:
        result = run_scan(root, config, on_progress=on_progress)
    report = build_report(result, root_label=str(args.path))
    text = dumps(report) if args.format == "json" else None
    if text is not None and args.output is not None:
        write_atomically(args.output, text)
    elif text is not None:
        sys.stdout.write(text)
    if args.format == "text" or (args.output is not None and not args.quiet):
        render_summary(report, Console())
    if args.output is not None and not args.quiet:
        err.print(f"Wrote {args.format} report to {args.output}", highlight=False)
    return EXIT_OK


def _build_config(root: Path, args: argparse.Namespace) -> ScanConfig:
    config = apply_project_table(ScanConfig(), read_project_table(root), str(root / "pyproject.toml"))
    updates: dict[str, object] = {}
    if args.include:
        updates["include"] = tuple(args.include)
    if args.exclude:
        updates["exclude"] = (*config.exclude, *args.exclude)
    if args.disable:
        updates["disabled_analyzers"] = config.disabled_analyzers | set(args.disable)
    if args.jobs:
        updates["jobs"] = args.jobs
    if args.timeout:
        updates["timeout_s"] = args.timeout
    return replace(config, **updates)  # type: ignore[arg-type]


def _check_writable(output: Path | None) -> None:
    if output is None:
        return
    parent = output.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write the report: {parent} is not a writable directory")
    if output.is_dir():
        raise UsageError(f"cannot write the report: {output} is a directory")


def write_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename, so a crash never leaves a truncated report."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _progress(err: Console, *, quiet: bool) -> Iterator[ProgressCallback | None]:
    if quiet:
        yield None
        return
    if not err.is_terminal:
        yield _plain_progress(err)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(event: TaskProgress) -> None:
            if event.analyzer not in tasks:
                tasks[event.analyzer] = bar.add_task(event.analyzer, total=event.total)
            bar.update(tasks[event.analyzer], completed=event.done)

        yield update


def _plain_progress(err: Console) -> ProgressCallback:
    def update(event: TaskProgress) -> None:
        if event.done == event.total:
            err.print(f"{event.analyzer}: done", highlight=False)

    return update
