"""The ``roadmap`` command line. The only module that talks to the terminal.

Exit codes (see analyzer/gate.py): 0 success; 1 findings at or above ``--fail-on`` (only
new ones with a baseline); 2 usage or configuration error, unreadable target or baseline;
3 ``--strict`` and an analyzer failed or a file could not be analyzed."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from analyzer import __version__
from analyzer.baseline import BaselineError, create_baseline, dumps_baseline
from analyzer.cachedir import (
    SIZE_ENV,
    clear_cache,
    default_cache_dir,
    default_max_bytes,
    describe_cache,
)
from analyzer.changes import ChangeError, changed_files
from analyzer.cli.baselines import (
    DEFAULT_BASELINE,
    compare_with_baseline,
    configured_baseline,
    read_baseline,
    resolve_baseline_path,
    update_baseline,
)
from analyzer.cli.errors import UsageError, say
from analyzer.cli.merge import merge_command
from analyzer.cli.outputs import (
    OutputTarget,
    check_statistics,
    check_template_dir,
    check_writable,
    explain_gate,
    parse_output_targets,
    summary_console,
    warn_if_incomplete,
    write_atomically,
    write_reports,
)
from analyzer.cli.parser import build_parser
from analyzer.cli.progress import progress_display
from analyzer.cli.reporting import plan_and_write
from analyzer.cli.shard import announce_shard, shard_option
from analyzer.config import (
    ISOLATED_SOURCE,
    ConfigError,
    EffectiveConfig,
    describe,
    load_effective_config,
    read_config_file,
    read_project_table,
)
from analyzer.deadline import StageTimeout, time_limit
from analyzer.discover import discover_files
from analyzer.gate import EXIT_OK, EXIT_USAGE, exit_code, gating_findings
from analyzer.identity import ConfigRecord, config_table
from analyzer.model import ScanResult
from analyzer.plugins import LoadedAnalyzer, discover_analyzers
from analyzer.render.roadmap_view import tool_label
from analyzer.render.text import escape, plural
from analyzer.report import Report, report_date
from analyzer.reports.fields import ReportError
from analyzer.rules import RuleBook, RuleError, known_rules, load_rulebook
from analyzer.scan import run_scan, safe_version

# Ctrl-C and SIGTERM: the shell convention, 128 + the signal number.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """SIGTERM (a CI job cancelled): unwinds like Ctrl-C, so workers stop and scratch
    directories (``--no-cache``) are removed instead of left behind."""


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    err = Console(stderr=True)
    with warnings.catch_warnings():
        # Parsing the tree's code warns about it (invalid escapes), naming its files: raw
        # target text on stderr. What matters in it is reported as findings instead.
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # what 3.11 calls the same
        if threading.current_thread() is not threading.main_thread():
            return run_command(args, err)
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return run_command(args, err)
        finally:
            signal.signal(signal.SIGTERM, previous)


def run_command(args: argparse.Namespace, err: Console) -> int:
    """The command's exit code; every error is one line on stderr (see the module doc)."""
    try:
        if args.command == "analyzers":
            return list_analyzers(Console(), _disabled_analyzers(args.path))
        if args.command == "config":
            return config_command(args)
        if args.command == "baseline":
            return baseline_create_command(args, err)
        if args.command == "hook":
            return hook_command(args, err)
        if args.command == "cache":
            return cache_command(args, Console())
        if args.command == "progress":
            # Imported here: it builds on this module's scanning steps.
            from analyzer.cli.progress_command import progress_command

            return progress_command(args, err)
        if args.command == "merge":
            return merge_command(args, err)
        return scan_command(args, err)
    except _usage_errors() as exc:
        say(err, f"roadmap: error: {exc}")
        return EXIT_USAGE
    except StageTimeout as exc:
        say(err, f"roadmap: error: {exc}; no report was written (raise --timeout)")
        return EXIT_USAGE
    except KeyboardInterrupt:
        # The workers are already stopped, and no report was written (reports are atomic).
        say(err, "roadmap: interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        say(err, "roadmap: terminated")
        return EXIT_TERMINATED
    except Exception as exc:
        if os.environ.get("ROADMAP_DEBUG"):
            raise
        say(
            err,
            f"roadmap: internal error: {type(exc).__name__}: {exc} (a bug in repo-roadmap: "
            "please report it with the command you ran; ROADMAP_DEBUG=1 shows the traceback)",
        )
        return EXIT_USAGE


def _disabled_analyzers(root: Path) -> frozenset[str]:
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    table = read_project_table(root)
    effective = load_effective_config(
        table, str(root / "pyproject.toml"), {}, known_tools=known_rules(load_rulebook())
    )
    return effective.scan.disabled_analyzers


def _usage_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix. jinja2's TemplateError is one only once jinja2
    was imported (a Markdown report or a template check ran): without it no template error
    can have been raised, and a scan that writes no Markdown never imports jinja2."""
    errors: tuple[type[Exception], ...] = (
        UsageError,
        ConfigError,
        RuleError,
        BaselineError,
        ChangeError,
        ReportError,
    )
    jinja2 = sys.modules.get("jinja2")
    return errors if jinja2 is None else (*errors, jinja2.TemplateError)


def list_analyzers(console: Console, disabled: frozenset[str] = frozenset()) -> int:
    table = Table(title="Installed analyzers", title_justify="left")
    # The same "tool" column as the scan summary's: "bandit 1.9.4".
    for column in ("name", "tool", "scope", "status"):
        table.add_column(column)
    for item in discover_analyzers():
        if item.analyzer is None:
            table.add_row(
                escape(item.name), "-", "-", f"[red]broken: {escape(item.error or '')}[/red]"
            )
            continue
        analyzer = item.analyzer
        table.add_row(
            escape(analyzer.name),
            escape(tool_label(analyzer.tool, safe_version(analyzer))),
            analyzer.scope,
            "[dim]disabled by configuration[/dim]"
            if analyzer.name in disabled
            else "[green]enabled[/green]",
        )
    console.print(table)
    return EXIT_OK


def cache_command(args: argparse.Namespace, console: Console) -> int:
    """``roadmap cache info``: where the cache is, its size and limit; ``clear`` empties it."""
    directory = default_cache_dir()
    if args.action == "clear":
        removed = clear_cache(directory)
        say(console, f"Cleared {directory}: {_megabytes(removed)} removed")
        return EXIT_OK
    info = describe_cache(directory, default_max_bytes())
    say(console, f"directory: {info.directory}")
    say(console, f"size: {_megabytes(info.size)} in {plural(info.units, 'entry', 'entries')}")
    say(
        console,
        f"limit: {_megabytes(info.limit)} (set {SIZE_ENV} in MB to change it; least recently "
        "used entries are removed after each scan)",
    )
    return EXIT_OK


def _megabytes(size: int) -> str:
    return f"{size / 1048576:,.1f} MB"


def config_command(args: argparse.Namespace) -> int:
    root = _check_root(args.path)
    effective = _effective_config(root, args, _load_rules(args))
    table = Table(title=f"Effective configuration for {args.path}", title_justify="left")
    for column in ("key", "value", "source"):
        table.add_column(column, overflow="fold")
    for key, value, source in describe(effective):
        # A table value is several settings, one per line; each line is escaped on its own.
        shown = "\n".join(escape(line) for line in value.split("\n"))
        table.add_row(escape(key), shown, escape(source))
    summary_console().print(table)
    return EXIT_OK


def baseline_create_command(args: argparse.Namespace, err: Console) -> int:
    root = _check_root(args.path)
    rules = _load_rules(args)
    effective = _effective_config(root, args, rules)
    target = args.output or configured_baseline(root, effective) or root / DEFAULT_BASELINE
    check_writable(target)
    announce_configuration(effective, err)
    result, _ = _scan(root, effective, rules, err, args)
    baseline = create_baseline(result.findings)
    write_atomically(target, dumps_baseline(baseline, __version__), tree=root)
    say(err, f"Wrote baseline with {plural(len(baseline.entries), 'finding')} to {target}")
    warn_if_incomplete(result, err)
    return EXIT_OK


def scan_command(args: argparse.Namespace, err: Console) -> int:
    root = _check_root(args.path)
    targets = parse_output_targets(args.output, args.format)
    shard = shard_option(args, targets)
    check_statistics(args, targets)
    for target in targets:
        check_writable(target.path)
    if args.template_dir is not None:
        check_template_dir(args.template_dir)
    rules = _load_rules(args)
    effective = _effective_config(root, args, rules)
    effective = _narrowed(root, effective, args)
    if shard is not None:
        return shard_scan(
            root,
            args,
            replace(effective, scan=replace(effective.scan, shard=shard)),
            rules,
            targets,
            err,
        )
    baseline_path = resolve_baseline_path(root, effective, args)
    baseline = read_baseline(baseline_path, root) if baseline_path else None
    announce_configuration(effective, err)
    result, loaded = _scan(root, effective, rules, err, args)
    comparison = (
        compare_with_baseline(root, result, baseline, loaded, effective)
        if baseline is not None
        else None
    )
    if comparison is not None:
        result = replace(result, findings=comparison.findings)
    plan_and_write(
        root, result, comparison, effective, args, targets, err, root_label=str(args.path)
    )
    if args.update_baseline:
        update_baseline(baseline_path, comparison, err, tree=root)
    warn_if_incomplete(result, err)
    explain_gate(gating_findings(result.findings, effective.gate), effective, err)
    return exit_code(result, effective.gate)


def shard_scan(
    root: Path,
    args: argparse.Namespace,
    effective: EffectiveConfig,
    rules: RuleBook,
    targets: Sequence[OutputTarget],
    err: Console,
) -> int:
    """One shard's part: written as JSON, announced in a line; no plan, no gate."""
    announce_configuration(effective, err)
    result, _ = _scan(root, effective, rules, err, args)
    with time_limit(effective.scan.timeout_s, "writing the shard's report"):
        report = Report(
            result=result, root_label=str(args.path), generated_on=report_date(os.environ)
        )
        write_reports(report, targets, args, err, tree=root, summary=False)
    if not args.quiet:
        announce_shard(result, err)
    warn_if_incomplete(result, err)
    return EXIT_OK


def _narrowed(root: Path, effective: EffectiveConfig, args: argparse.Namespace) -> EffectiveConfig:
    """With ``--changed-since`` or files named (the pre-commit hook), report only those files;
    whole-program analyzers still see the whole tree."""
    given = getattr(args, "files", None) or None
    if args.changed_since is None and given is None:
        return effective
    scan = effective.scan
    current = discover_files(
        root.resolve(), include=scan.include, exclude=scan.exclude, timeout=scan.timeout_s
    )
    paths = frozenset(f.path for f in current)
    if args.changed_since is not None:
        limit = 120.0 if scan.timeout_s is None else min(scan.timeout_s, 120.0)
        paths = changed_files(root, args.changed_since, sorted(paths), timeout=limit)
    if given is not None:
        paths = paths & _relative_paths(root, given)
    return replace(effective, scan=replace(effective.scan, only_paths=paths))


def _relative_paths(root: Path, files: Sequence[str]) -> frozenset[str]:
    """The named files as POSIX paths relative to the scanned root."""
    base = os.path.abspath(root)
    return frozenset(
        Path(os.path.relpath(os.path.abspath(name), base)).as_posix() for name in files
    )


def hook_command(args: argparse.Namespace, err: Console) -> int:
    """``roadmap hook FILE...`` (pre-commit): scan the repository in the current directory,
    report and gate only the files named (pre-commit names every file under --all-files)."""
    args.path = Path(".")
    return scan_command(args, err)


def _load_rules(args: argparse.Namespace) -> RuleBook:
    for directory in args.rules_dir:
        if not directory.is_dir():
            raise UsageError(f"--rules-dir {directory} is not a directory")
    return load_rulebook(args.rules_dir)


def _check_root(root: Path) -> Path:
    if not root.exists():
        raise UsageError(f"{root} does not exist")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; point roadmap at a repository folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root} is not readable")
    return root


def _effective_config(root: Path, args: argparse.Namespace, rules: RuleBook) -> EffectiveConfig:
    table, source = _configuration_table(root, args)
    effective = load_effective_config(
        table, source, _overrides(args), known_tools=known_rules(rules)
    )
    _check_analyzer_names(effective.scan.disabled_analyzers, "--disable or tool.roadmap.analyzers")
    _check_analyzer_names(effective.scan.selected_analyzers or frozenset(), "--select")
    return effective


def _configuration_table(root: Path, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """``[tool.roadmap]`` from where the user says: the project (default), a trusted file
    (``--config``), or nowhere (``--isolated``); and the label its values are shown with."""
    if getattr(args, "isolated", False):
        return {}, ISOLATED_SOURCE
    if getattr(args, "config", None) is not None:
        return read_config_file(args.config), str(args.config)
    return read_project_table(root), str(root / "pyproject.toml")


def announce_configuration(effective: EffectiveConfig, err: Console) -> None:
    """Say on stderr which configuration steered this scan: in CI on untrusted code, a pull
    request that edits [tool.roadmap] shows in the log."""
    keys = [k for k, s in effective.sources.items() if s.startswith(effective.origin)]
    if effective.origin == ISOLATED_SOURCE:
        say(err, "roadmap: configuration: none (--isolated): defaults and command-line flags")
    elif keys:
        say(err, f"roadmap: configuration: {effective.origin} [tool.roadmap]: {', '.join(keys)}")


def _check_analyzer_names(names: frozenset[str], where: str) -> None:
    """A misspelt analyzer name would silently leave the analyzer on (or off)."""
    installed = {item.name for item in discover_analyzers()}
    unknown = sorted(names - installed)
    if unknown:
        raise UsageError(
            f"unknown analyzer {unknown[0]!r} in {where} "
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
        "min_severity": args.min_severity,
        "select": _split_names(args.select),
        "strict": args.strict,
        "baseline": args.baseline,
        "jobs": args.jobs,
        "timeout": args.timeout,
    }
    return {key: value for key, value in candidates.items() if value is not None}


def _split_names(values: Sequence[str]) -> list[str] | None:
    """``--select a,b --select c``: the names, or None when the flag was not given."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return names or None


def _scan(
    root: Path,
    effective: EffectiveConfig,
    rules: RuleBook,
    err: Console,
    args: argparse.Namespace,
) -> tuple[ScanResult, tuple[LoadedAnalyzer, ...]]:
    """Scan with the command's flags: progress unless --quiet, no cache with --no-cache, and
    the --rules-dir folders recorded in the scan's identity."""
    loaded = discover_analyzers()
    config = replace(effective.scan, use_cache=False) if args.no_cache else effective.scan
    record = ConfigRecord(
        table=config_table(effective.scan, effective.gate, effective.plan),
        rule_dirs=tuple(args.rules_dir),
    )
    with progress_display(err, quiet=args.quiet) as on_progress:
        result = run_scan(
            root, config, rules=rules, on_progress=on_progress, loaded=loaded, record=record
        )
    return result, loaded
