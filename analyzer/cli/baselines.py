"""The command line's side of baselines: where the file is, reading it, comparing a scan
with it and pruning fixed entries."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from analyzer import __version__
from analyzer.baseline import (
    Baseline,
    BaselineError,
    Comparison,
    compare,
    dumps_baseline,
    loads_baseline,
    prune,
)
from analyzer.cli.errors import UsageError, say
from analyzer.cli.outputs import write_atomically
from analyzer.config import ConfigError, EffectiveConfig
from analyzer.discover.reader import read_inside, read_named
from analyzer.model import ScanResult
from analyzer.plugins import LoadedAnalyzer
from analyzer.render.text import plural

DEFAULT_BASELINE = ".roadmap-baseline.json"


# Baselines of large projects run to a few megabytes; this bounds a hostile or wrong one.
BASELINE_LIMIT = 64 * 1024 * 1024


def configured_baseline(root: Path, effective: EffectiveConfig) -> Path | None:
    """The baseline path: relative to the working directory when given on the command line,
    to the scanned root when configured in a file. A configured one must stay inside the
    scanned tree: the tree's own pyproject.toml must not make us read or write elsewhere."""
    value = effective.gate.baseline
    if value is None:
        return None
    source = effective.sources.get("baseline", "")
    if source == "command line":
        return Path(value)
    path = root / value
    if not path.resolve().is_relative_to(root.resolve()):
        raise ConfigError(
            f"{source}: tool.roadmap.baseline {value!r} leads outside the scanned tree; "
            "only --baseline on the command line may point elsewhere"
        )
    return path


def resolve_baseline_path(
    root: Path, effective: EffectiveConfig, args: argparse.Namespace
) -> Path | None:
    path = configured_baseline(root, effective)
    if path is None and args.update_baseline:
        raise UsageError(
            "--update-baseline needs a baseline (--baseline FILE or tool.roadmap.baseline)"
        )
    return path


def read_baseline(path: Path, root: Path) -> Baseline:
    """The baseline at ``path``; one inside the scanned tree is read through the guarded
    reader (no symlink out of it, regular files only), any other is read with a size cap."""
    try:
        data = _read_capped(path, root)
        text = data.decode("utf-8")
    except OSError as exc:
        hint = " (create one with: roadmap baseline create)" if not path.exists() else ""
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}{hint}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(f"cannot read baseline {path}: not UTF-8 text ({exc.reason})") from exc
    return loads_baseline(text, str(path))


def _read_capped(path: Path, root: Path) -> bytes:
    absolute = path.absolute()
    if absolute.is_relative_to(root.absolute()):
        return read_inside(
            root, absolute.relative_to(root.absolute()).as_posix(), limit=BASELINE_LIMIT
        )
    # Non-blocking, regular files only: a FIFO given as --baseline must not hang the command.
    return read_named(path, limit=BASELINE_LIMIT)


def unanalyzed_paths(root: Path, baseline: Baseline, result: ScanResult) -> frozenset[str]:
    """Baseline paths whose file still exists but that this scan did not analyze (excluded,
    ignored by git, too large): their entries cannot be checked, so they are never pruned."""
    return frozenset(
        entry.path
        for entry in baseline.entries
        if entry.path not in result.analyzed_paths
        and entry.path != "."
        and os.path.lexists(root / entry.path)
    )


def compare_with_baseline(
    root: Path,
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
        unanalyzed_paths=unanalyzed_paths(root, baseline, result),
    )


def update_baseline(
    path: Path | None, comparison: Comparison | None, err: Console, *, tree: Path
) -> None:
    if path is None or comparison is None:
        return
    pruned = prune(comparison)
    write_atomically(path, dumps_baseline(pruned, __version__), tree=tree)
    removed, kept = len(comparison.fixed), len(pruned.entries)
    message = (
        f"Updated baseline {path}: removed {plural(removed, 'fixed finding')}, "
        f"{kept:,} {'remains' if kept == 1 else 'remain'}"
    )
    say(err, message)
