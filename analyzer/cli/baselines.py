"""The command line's side of baselines: where the file is, reading it, comparing a scan
with it and pruning fixed entries."""

from __future__ import annotations

import argparse
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
from analyzer.cli.errors import UsageError
from analyzer.cli.outputs import write_atomically
from analyzer.config import EffectiveConfig
from analyzer.model import ScanResult
from analyzer.plugins import LoadedAnalyzer

DEFAULT_BASELINE = ".roadmap-baseline.json"


def configured_baseline(root: Path, effective: EffectiveConfig) -> Path | None:
    """The baseline path: relative to the working directory when given on the command line,
    to the scanned root when configured in pyproject.toml."""
    value = effective.gate.baseline
    if value is None:
        return None
    from_command_line = effective.sources.get("baseline", "").endswith("command line")
    return Path(value) if from_command_line else root / value


def resolve_baseline_path(
    root: Path, effective: EffectiveConfig, args: argparse.Namespace
) -> Path | None:
    path = configured_baseline(root, effective)
    if path is None and args.update_baseline:
        raise UsageError(
            "--update-baseline needs a baseline (--baseline FILE or tool.roadmap.baseline)"
        )
    return path


def read_baseline(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        hint = " (create one with: roadmap baseline create)" if not path.exists() else ""
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}{hint}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(f"cannot read baseline {path}: not UTF-8 text ({exc.reason})") from exc
    return loads_baseline(text, str(path))


def compare_with_baseline(
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


def update_baseline(path: Path | None, comparison: Comparison | None, err: Console) -> None:
    if path is None or comparison is None:
        return
    pruned = prune(comparison)
    write_atomically(path, dumps_baseline(pruned, __version__))
    removed, kept = len(comparison.fixed), len(pruned.entries)
    message = f"Updated baseline {path}: removed {removed} fixed findings, {kept} remain"
    err.print(message, highlight=False)
