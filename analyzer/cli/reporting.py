"""Plan a scan's result and write the reports asked for: what ``scan`` and ``merge`` share."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from analyzer.baseline import Comparison
from analyzer.cli.history import plan_history
from analyzer.cli.outputs import OutputTarget, write_reports
from analyzer.config import EffectiveConfig
from analyzer.deadline import time_limit
from analyzer.model import ScanResult
from analyzer.report import Report, report_date, with_roadmap


def plan_and_write(
    root: Path,
    result: ScanResult,
    comparison: Comparison | None,
    effective: EffectiveConfig,
    args: argparse.Namespace,
    targets: Sequence[OutputTarget],
    err: Console,
    *,
    root_label: str,
) -> None:
    """Read the history the roadmap needs, plan, and write every report atomically."""
    formats = {target.format for target in targets} or {args.format}
    history = plan_history(root, result, effective, args, formats)
    with time_limit(effective.scan.timeout_s, "planning and writing the reports"):
        report = with_roadmap(
            Report(
                result=result,
                root_label=root_label,
                baseline=comparison,
                generated_on=report_date(os.environ),
                template_dir=args.template_dir,
                rule_dirs=tuple(args.rules_dir),
                sarif_suppressed=args.sarif_include_suppressed,
            ),
            effective.plan,
            rule_dirs=args.rules_dir,
            history=history,
        )
        write_reports(report, targets, args, err, tree=root)
