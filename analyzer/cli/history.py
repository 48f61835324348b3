"""The git history a roadmap weighs (hotspots), read for ``scan`` and ``merge`` alike: only
when a report shows the roadmap, and not with ``--no-history``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from analyzer.cachedir import default_cache_dir
from analyzer.config import EffectiveConfig
from analyzer.discover.history import History, no_history, read_history
from analyzer.model import ScanResult
from analyzer.planning.facts import index_complex_functions
from analyzer.planning.roadmap import planning_settings

# The report formats that show the roadmap, and so its hotspots.
_ROADMAP_FORMATS = frozenset({"markdown", "json"})


def plan_history(
    root: Path,
    result: ScanResult,
    effective: EffectiveConfig,
    args: argparse.Namespace,
    formats: set[str],
) -> History:
    """The git history for hotspots: churn of each file and of each complex function; read
    only for the reports that show a roadmap."""
    if getattr(args, "no_history", False):
        return no_history("not read (--no-history)")
    if not formats & _ROADMAP_FORMATS:
        return no_history("not read (no report shows the roadmap)")
    settings = effective.plan or planning_settings(tuple(args.rules_dir))
    functions = index_complex_functions(result.findings, settings.risk.complexity_category)
    return read_history(
        root,
        {path: [(f.name, f.line, f.end_line) for f in items] for path, items in functions.items()},
        months=settings.history.months,
        max_commits=settings.history.max_commits,
        timeout=min(settings.history.timeout_seconds, effective.scan.timeout_s or math.inf),
        max_function_files=settings.history.max_function_files,
        cache_dir=results_cache(effective, args),
    )


def results_cache(effective: EffectiveConfig, args: argparse.Namespace) -> Path | None:
    if args.no_cache or not effective.scan.use_cache:
        return None
    return (effective.scan.cache_dir or default_cache_dir()) / "results"
