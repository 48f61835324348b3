"""``roadmap merge``: shards' reports into the report an unsharded scan would have written,
or (``--org``) several repositories' reports into one plan.

Merging shards runs the cross-file joins the shards left (over every shard's facts), reads
the git history and the lines SARIF fingerprints hash, all in the checkout the shards
scanned (``--root``, the current directory by default), after checking it is that
checkout. It plans and gates with the configuration the shards recorded; flags given here
(``--fail-on``, ``--strict``, ``--baseline``) override it, as on ``roadmap scan``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console

from analyzer.cachedir import default_cache_dir
from analyzer.cli.baselines import compare_with_baseline, read_baseline, resolve_baseline_path
from analyzer.cli.errors import UsageError, say
from analyzer.cli.org import org_command
from analyzer.cli.outputs import (
    check_statistics,
    check_template_dir,
    check_writable,
    explain_gate,
    parse_output_targets,
    warn_if_incomplete,
)
from analyzer.cli.reporting import plan_and_write
from analyzer.config import EffectiveConfig, load_effective_config
from analyzer.gate import exit_code, gating_findings
from analyzer.identity import rules_fingerprint
from analyzer.joins import JoinError, check_tree, join_analyzers, run_joins
from analyzer.model import ScanResult
from analyzer.plugins import discover_analyzers
from analyzer.render.text import plural
from analyzer.reports.read import read_report_file
from analyzer.reports.shards import (
    ShardSet,
    check_shards,
    union_shards,
    with_joins,
    with_tree_paths,
)
from analyzer.rules import RuleBook, known_rules, load_rulebook


def merge_command(args: argparse.Namespace, err: Console) -> int:
    targets = parse_output_targets(args.output, args.format)
    check_statistics(args, targets)
    for target in targets:
        check_writable(target.path)
    if args.template_dir is not None:
        check_template_dir(args.template_dir)
    rules = _rules(args)
    if args.org:
        return org_command(args, rules, targets, err)
    if args.org_config is not None:
        raise UsageError("--org-config sets the teams of roadmap merge --org: add --org")
    reports = [read_report_file(Path(name)) for name in _unique(args.reports)]
    shards = check_shards(reports)
    effective = _shards_config(shards, args, known_rules(rules))
    _check_rules(shards, rules, args)
    root = _check_root(args.root)
    result = _merged(shards, root, effective, rules, no_cache=args.no_cache)
    baseline_path = resolve_baseline_path(root, effective, args)
    comparison = None
    if baseline_path is not None:
        comparison = compare_with_baseline(
            root, result, read_baseline(baseline_path, root), discover_analyzers(), effective
        )
        result = replace(result, findings=comparison.findings)
    _announce(shards, result, err, quiet=args.quiet)
    plan_and_write(
        root,
        result,
        comparison,
        effective,
        args,
        targets,
        err,
        root_label=shards.reports[0].root_label,
    )
    warn_if_incomplete(result, err)
    explain_gate(gating_findings(result.findings, effective.gate), effective, err)
    return exit_code(result, effective.gate)


def _unique(names: Sequence[str]) -> list[str]:
    """The reports named, each once (a shell glob and an explicit name may both name one)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(os.path.realpath(name), name)
    return list(seen.values())


def _rules(args: argparse.Namespace) -> RuleBook:
    for directory in args.rules_dir:
        if not directory.is_dir():
            raise UsageError(f"--rules-dir {directory} is not a directory")
    return load_rulebook(args.rules_dir)


def _shards_config(shards: ShardSet, args: argparse.Namespace, known: Any) -> EffectiveConfig:
    """The configuration the shards scanned with, under this command's flags."""
    overrides: dict[str, Any] = {
        "fail_on": args.fail_on,
        "strict": args.strict,
        "baseline": args.baseline,
        "jobs": args.jobs,
        "timeout": args.timeout,
    }
    source = f"{shards.reports[0].source}: scan.config"
    return load_effective_config(
        shards.identity.config,
        source,
        {key: value for key, value in overrides.items() if value is not None},
        known_tools=known,
    )


def _check_rules(shards: ShardSet, rules: RuleBook, args: argparse.Namespace) -> None:
    if rules_fingerprint(rules, tuple(args.rules_dir)) != shards.identity.rules_digest:
        raise UsageError(
            "the shards were scanned with other rules than these (another version, or other "
            "--rules-dir folders): merge with the --rules-dir the shards were scanned with"
        )


def _check_root(root: Path) -> Path:
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    return root.resolve()


def _merged(
    shards: ShardSet, root: Path, effective: EffectiveConfig, rules: RuleBook, *, no_cache: bool
) -> ScanResult:
    union, joins = union_shards(shards)
    config = effective.scan if not no_cache else replace(effective.scan, use_cache=False)
    try:
        files = check_tree(root, shards.identity, config)
        union, joins = with_tree_paths(union, joins, files)
        analyzers = join_analyzers(
            joins, [a.analyzer for a in discover_analyzers() if a.analyzer], shards.identity
        )
    except JoinError as exc:
        raise UsageError(str(exc)) from exc
    scratch = None if config.use_cache else tempfile.mkdtemp(prefix="repo-roadmap-")
    cache_dir = scratch or str(config.cache_dir or default_cache_dir())
    try:
        outcome = run_joins(
            root, files, joins, analyzers, config=config, rulebook=rules, cache_dir=cache_dir
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return with_joins(union, outcome, str(root))


def _announce(shards: ShardSet, result: ScanResult, err: Console, *, quiet: bool) -> None:
    if quiet:
        return
    commit = f" at {shards.identity.commit[:12]}" if shards.identity.commit else ""
    say(
        err,
        f"roadmap: merged {shards.count} shards of {shards.identity.root_name}{commit}: "
        f"{plural(result.target.files_scanned, 'file')}, "
        f"{plural(len(result.findings), 'finding')}",
    )
