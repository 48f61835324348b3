"""The ``roadmap`` command line. The only module that talks to the terminal.

Exit codes (see analyzer/gate.py): 0 success; 1 findings at or above ``--fail-on`` (only
new ones with a baseline); 2 usage or configuration error, unreadable target or baseline;
3 ``--strict`` and an analyzer failed or a file could not be analyzed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from analyzer import __version__
from analyzer.analyze import Progress as TaskProgress
from analyzer.analyze import ProgressCallback
from analyzer.baseline import (
    Baseline,
    BaselineError,
    Comparison,
    compare,
    create_baseline,
    dumps_baseline,
    loads_baseline,
    prune,
)
from analyzer.changes import ChangeError, changed_files
from analyzer.config import (
    ConfigError,
    EffectiveConfig,
    describe,
    load_effective_config,
    read_project_table,
)
from analyzer.gate import EXIT_OK, EXIT_USAGE, exit_code, gating_findings, is_incomplete
from analyzer.model import Finding, ScanResult
from analyzer.plan import report_date, with_roadmap
from analyzer.plugins import LoadedAnalyzer, discover_analyzers
from analyzer.render import RENDERERS, render
from analyzer.render.json_report import build_report
from analyzer.render.markdown import check_templates
from analyzer.render.text import print_summary
from analyzer.report import Report
from analyzer.rules import RuleBook, RuleError, load_rulebook
from analyzer.scan import run_scan, safe_version

DEFAULT_BASELINE = ".roadmap-baseline.json"

# Ctrl-C: the shell convention, 128 + SIGINT.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with how the command was called; reported in one line, exit 2."""


@dataclass(frozen=True, kw_only=True, slots=True)
class OutputTarget:
    format: str
    path: Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roadmap",
        description="Scan a Python repository and plan its improvement as pull requests.",
    )
    parser.add_argument("--version", action="version", version=f"roadmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    options = _config_options()
    scan = commands.add_parser(
        "scan", parents=[options], help="scan a repository and report findings"
    )
    scan.add_argument("path", type=Path, help="the repository (a directory) to scan")
    _add_scan_arguments(scan)
    baseline = commands.add_parser("baseline", help="record the current findings as accepted")
    baseline_commands = baseline.add_subparsers(
        dest="baseline_command", required=True, metavar="ACTION"
    )
    create = baseline_commands.add_parser("create", parents=[options], help="write a baseline file")
    create.add_argument("path", type=Path, help="the repository (a directory) to scan")
    create.add_argument(
        "--output",
        "-o",
        type=Path,
        help=f"the baseline file (default: the configured one, else PATH/{DEFAULT_BASELINE})",
    )
    create.add_argument("--quiet", "-q", action="store_true", help="no progress")
    config = commands.add_parser(
        "config", parents=[options], help="print the effective configuration"
    )
    config.add_argument(
        "path", type=Path, help="the repository (a directory) whose pyproject.toml to read"
    )
    listing = commands.add_parser(
        "analyzers", help="list installed analyzers, their tool versions, enabled or not"
    )
    listing.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("."),
        help="whose [tool.roadmap] decides what is enabled (default: the current directory)",
    )
    return parser


def _config_options() -> argparse.ArgumentParser:
    """Flags that override ``[tool.roadmap]``; shared by scan, baseline create and config."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("configuration (overrides [tool.roadmap] in pyproject.toml)")
    group.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only scan matching files"
    )
    group.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip matching files"
    )
    group.add_argument(
        "--disable", action="append", default=[], metavar="ANALYZER", help="do not run an analyzer"
    )
    group.add_argument(
        "--disable-rule",
        action="append",
        default=[],
        metavar="RULE",
        help="suppress a rule (e.g. bandit.B101)",
    )
    group.add_argument(
        "--fail-on",
        choices=("high", "medium", "low", "none"),
        help="exit 1 on findings this severe",
    )
    group.add_argument(
        "--strict", action="store_true", default=None, help="exit 3 if the scan was incomplete"
    )
    group.add_argument(
        "--baseline", metavar="FILE", help="only findings not in this baseline count as new"
    )
    group.add_argument(
        "--jobs", "-j", type=_positive_int, help="worker processes (default: CPU count)"
    )
    group.add_argument(
        "--timeout", type=float, help="seconds each analyzer may run (default: 1800)"
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help="analyze every file afresh; read and write no cached results",
    )
    group.add_argument(
        "--rules-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="TOML files here override the bundled rules/ (tool rules, recommendations, "
        "planning, metrics); repeatable",
    )
    return options


def _add_scan_arguments(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--format",
        "-f",
        choices=sorted(RENDERERS),
        default="text",
        help="report format (default: text)",
    )
    scan.add_argument(
        "--output",
        "-o",
        action="append",
        default=[],
        metavar="[FORMAT:]PATH",
        help="write a report to PATH; FORMAT:PATH (repeatable) writes one per format, "
        "a bare PATH writes --format",
    )
    scan.add_argument(
        "--update-baseline", action="store_true", help="drop fixed findings from the baseline"
    )
    scan.add_argument(
        "--changed-since", metavar="REV", help="report only findings in files changed since REV"
    )
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    scan.add_argument(
        "--template-dir",
        type=Path,
        metavar="DIR",
        help="Markdown templates that override the bundled ones",
    )


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
            return list_analyzers(Console(), _disabled_analyzers(args.path))
        if args.command == "config":
            return config_command(args)
        if args.command == "baseline":
            return baseline_create_command(args, err)
        return scan_command(args, err)
    except (UsageError, ConfigError, RuleError, BaselineError, ChangeError, TemplateError) as exc:
        err.print(f"roadmap: error: {exc}", highlight=False, markup=False, soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # The workers are already stopped, and no report was written (reports are atomic).
        err.print("roadmap: interrupted", highlight=False)
        return EXIT_INTERRUPTED


def _disabled_analyzers(root: Path) -> frozenset[str]:
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    table = read_project_table(root)
    effective = load_effective_config(
        table, str(root / "pyproject.toml"), {}, known_tools=load_rulebook().tools.keys()
    )
    return effective.scan.disabled_analyzers


def list_analyzers(console: Console, disabled: frozenset[str] = frozenset()) -> int:
    table = Table(title="Installed analyzers", title_justify="left")
    for column in ("name", "tool", "tool version", "scope", "status"):
        table.add_column(column)
    for item in discover_analyzers():
        if item.analyzer is None:
            table.add_row(
                escape(item.name), "-", "-", "-", f"[red]broken: {escape(item.error or '')}[/red]"
            )
            continue
        analyzer = item.analyzer
        table.add_row(
            escape(analyzer.name),
            escape(analyzer.tool),
            escape(safe_version(analyzer)),
            analyzer.scope,
            "[dim]disabled by configuration[/dim]"
            if analyzer.name in disabled
            else "[green]enabled[/green]",
        )
    console.print(table)
    return EXIT_OK


def config_command(args: argparse.Namespace) -> int:
    root = _check_root(args.path)
    effective = _effective_config(root, args, _load_rules(args))
    table = Table(title=f"Effective configuration for {args.path}", title_justify="left")
    for column in ("key", "value", "source"):
        table.add_column(column, overflow="fold")
    for key, value, source in describe(effective):
        table.add_row(escape(key), escape(value), escape(source))
    Console().print(table)
    return EXIT_OK


def baseline_create_command(args: argparse.Namespace, err: Console) -> int:
    root = _check_root(args.path)
    rules = _load_rules(args)
    effective = _effective_config(root, args, rules)
    target = args.output or _configured_baseline(root, effective) or root / DEFAULT_BASELINE
    _check_writable(target)
    result, _ = _scan(root, effective, rules, err, quiet=args.quiet, use_cache=not args.no_cache)
    baseline = create_baseline(result.findings)
    write_atomically(target, dumps_baseline(baseline, __version__))
    err.print(f"Wrote baseline with {len(baseline.entries)} findings to {target}", highlight=False)
    _warn_if_incomplete(result, err)
    return EXIT_OK


def scan_command(args: argparse.Namespace, err: Console) -> int:
    root = _check_root(args.path)
    targets = parse_output_targets(args.output, args.format)
    for target in targets:
        _check_writable(target.path)
    if args.template_dir is not None:
        _check_template_dir(args.template_dir)
    rules = _load_rules(args)
    effective = _effective_config(root, args, rules)
    if args.changed_since:
        only = changed_files(root, args.changed_since)
        effective = replace(effective, scan=replace(effective.scan, only_paths=only))
    baseline_path = _baseline_path(root, effective, args)
    baseline = _read_baseline(baseline_path) if baseline_path else None
    result, loaded = _scan(
        root, effective, rules, err, quiet=args.quiet, use_cache=not args.no_cache
    )
    comparison = _compare(result, baseline, loaded, effective) if baseline is not None else None
    if comparison is not None:
        result = replace(result, findings=comparison.findings)
    report = with_roadmap(
        Report(
            result=result,
            root_label=str(args.path),
            baseline=comparison,
            generated_on=report_date(os.environ),
            template_dir=args.template_dir,
            rule_dirs=tuple(args.rules_dir),
        ),
        effective.plan,
        rule_dirs=args.rules_dir,
    )
    _write_reports(report, targets, args, err)
    if args.update_baseline:
        _update_baseline(baseline_path, comparison, err)
    _warn_if_incomplete(result, err)
    _explain_gate(gating_findings(result.findings, effective.gate), effective, err)
    return exit_code(result, effective.gate)


GATE_FINDINGS_SHOWN = 20


def _explain_gate(failing: Sequence[Finding], effective: EffectiveConfig, err: Console) -> None:
    """Why the scan fails, on stderr, even with --quiet: a red CI job must say what it saw."""
    if not failing:
        return
    new = " new" if any(f.baseline_status == "new" for f in failing) else ""
    err.print(
        f"roadmap: {len(failing)}{new} findings at or above --fail-on {effective.gate.fail_on}:",
        highlight=False,
        markup=False,
    )
    for finding in failing[:GATE_FINDINGS_SHOWN]:
        err.print(
            f"  {finding.path}:{finding.line} {finding.severity} {finding.rule_id} "
            f"{finding.message}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if len(failing) > GATE_FINDINGS_SHOWN:
        err.print(f"  ... and {len(failing) - GATE_FINDINGS_SHOWN} more", highlight=False)


def _check_template_dir(directory: Path) -> None:
    if not directory.is_dir():
        raise UsageError(f"--template-dir {directory} is not a directory")
    try:
        check_templates(directory)
    except TemplateError as exc:
        where = (
            f" ({exc.filename}, line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        )
        raise UsageError(f"--template-dir {directory}: {exc.message}{where}") from exc


def _load_rules(args: argparse.Namespace) -> RuleBook:
    for directory in args.rules_dir:
        if not directory.is_dir():
            raise UsageError(f"--rules-dir {directory} is not a directory")
    return load_rulebook(args.rules_dir)


def parse_output_targets(values: Sequence[str], default_format: str) -> list[OutputTarget]:
    """``-o PATH`` (at most one, in ``--format``) and any number of ``-o FORMAT:PATH``."""
    targets: list[OutputTarget] = []
    for value in values:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in RENDERERS and rest:
            targets.append(OutputTarget(format=prefix, path=Path(rest)))
        else:
            targets.append(OutputTarget(format=default_format, path=Path(value)))
    plain = [v for v in values if v.partition(":")[0] not in RENDERERS or not v.partition(":")[2]]
    if len(plain) > 1:
        raise UsageError(
            f"-o/--output without a FORMAT: prefix may be given once, got {', '.join(plain)}"
        )
    paths = [t.path.resolve() for t in targets]
    if len(set(paths)) != len(paths):
        raise UsageError("two reports would be written to the same file")
    return targets


def _write_reports(
    report: Report, targets: Sequence[OutputTarget], args: argparse.Namespace, err: Console
) -> None:
    # Render everything before writing anything: a template that fails on this data must
    # not leave some reports new and others stale.
    texts = [(target, render(report, target.format)) for target in targets]
    for target, text in texts:
        write_atomically(target.path, text)
        if not args.quiet:
            err.print(f"Wrote {target.format} report to {target.path}", highlight=False)
    if args.format != "text" and not any(t.format == args.format for t in targets):
        sys.stdout.write(render(report, args.format))
    elif not args.quiet:
        print_summary(build_report(report), Console())


def _check_root(root: Path) -> Path:
    if not root.exists():
        raise UsageError(f"{root} does not exist")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; point roadmap at a repository folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root} is not readable")
    return root


def _effective_config(root: Path, args: argparse.Namespace, rules: RuleBook) -> EffectiveConfig:
    table = read_project_table(root)
    effective = load_effective_config(
        table, str(root / "pyproject.toml"), _overrides(args), known_tools=rules.tools.keys()
    )
    _check_analyzer_names(effective.scan.disabled_analyzers)
    return effective


def _check_analyzer_names(names: frozenset[str]) -> None:
    """A misspelt analyzer name would silently leave the analyzer on."""
    installed = {item.name for item in discover_analyzers()}
    unknown = sorted(names - installed)
    if unknown:
        raise UsageError(
            f"unknown analyzer {unknown[0]!r} in --disable or tool.roadmap.analyzers "
            f"(installed: {', '.join(sorted(installed))})"
        )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The command-line flags, as keys of ``[tool.roadmap]``."""
    candidates: dict[str, Any] = {
        "include": args.include or None,
        "exclude": args.exclude or None,
        "analyzers": dict.fromkeys(args.disable, False) or None,
        "disable_rules": args.disable_rule or None,
        "fail_on": args.fail_on,
        "strict": args.strict,
        "baseline": args.baseline,
        "jobs": args.jobs,
        "timeout": args.timeout,
    }
    return {key: value for key, value in candidates.items() if value is not None}


def _scan(
    root: Path,
    effective: EffectiveConfig,
    rules: RuleBook,
    err: Console,
    *,
    quiet: bool,
    use_cache: bool = True,
) -> tuple[ScanResult, tuple[LoadedAnalyzer, ...]]:
    loaded = discover_analyzers()
    config = effective.scan if use_cache else replace(effective.scan, use_cache=False)
    with _progress(err, quiet=quiet) as on_progress:
        result = run_scan(root, config, rules=rules, on_progress=on_progress, loaded=loaded)
    return result, loaded


def _configured_baseline(root: Path, effective: EffectiveConfig) -> Path | None:
    """The baseline path: relative to the working directory when given on the command line,
    to the scanned root when configured in pyproject.toml."""
    value = effective.gate.baseline
    if value is None:
        return None
    from_command_line = effective.sources.get("baseline", "").endswith("command line")
    return Path(value) if from_command_line else root / value


def _baseline_path(root: Path, effective: EffectiveConfig, args: argparse.Namespace) -> Path | None:
    path = _configured_baseline(root, effective)
    if path is None and args.update_baseline:
        raise UsageError(
            "--update-baseline needs a baseline (--baseline FILE or tool.roadmap.baseline)"
        )
    return path


def _read_baseline(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        hint = " (create one with: roadmap baseline create)" if not path.exists() else ""
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}{hint}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(f"cannot read baseline {path}: not UTF-8 text ({exc.reason})") from exc
    return loads_baseline(text, str(path))


def _compare(
    result: ScanResult,
    baseline: Baseline,
    loaded: Sequence[LoadedAnalyzer],
    effective: EffectiveConfig,
) -> Comparison:
    ok = {run.name for run in result.analyzers if run.status == "ok"}
    tools = {item.analyzer.tool for item in loaded if item.analyzer is not None and item.name in ok}
    return compare(
        result.findings,
        baseline,
        unverified_paths={error.path for error in result.errors},
        verified_tools=tools,
        scope=effective.scan.only_paths,
        suppressed=result.suppressed,
    )


def _update_baseline(path: Path | None, comparison: Comparison | None, err: Console) -> None:
    if path is None or comparison is None:
        return
    pruned = prune(comparison)
    write_atomically(path, dumps_baseline(pruned, __version__))
    removed, kept = len(comparison.fixed), len(pruned.entries)
    message = f"Updated baseline {path}: removed {removed} fixed findings, {kept} remain"
    err.print(message, highlight=False)


def _warn_if_incomplete(result: ScanResult, err: Console) -> None:
    if not is_incomplete(result):
        return
    failed = [run.name for run in result.analyzers if run.status == "failed"]
    files = len({error.path for error in result.errors})
    parts = ([f"analyzers failed: {', '.join(failed)}"] if failed else []) + (
        [f"{files} {'file' if files == 1 else 'files'} could not be analyzed"] if files else []
    )
    err.print(
        f"roadmap: warning: the scan is incomplete ({'; '.join(parts)}); "
        "--strict makes this exit 3",
        highlight=False,
        soft_wrap=True,
    )


def _check_writable(output: Path | None) -> None:
    if output is None:
        return
    parent = output.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {output}: {parent} is not a writable directory")
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a directory")


def write_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename, so a crash never leaves a truncated report."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp creates the file 0600; a report is an ordinary, shareable file.
        os.chmod(temporary, 0o644)
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
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

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
