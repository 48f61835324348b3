"""What the command line writes: reports (atomically, several from one scan), and why a
scan failed its gate or is incomplete."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError
from rich.console import Console

from analyzer.cli.errors import UsageError
from analyzer.config import EffectiveConfig
from analyzer.gate import is_incomplete
from analyzer.model import Finding, ScanResult
from analyzer.render import RENDERERS, render
from analyzer.render.json_report import build_report
from analyzer.render.markdown import check_templates
from analyzer.render.text import print_summary
from analyzer.report import Report


@dataclass(frozen=True, kw_only=True, slots=True)
class OutputTarget:
    format: str
    path: Path


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


def write_reports(
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


def check_writable(output: Path | None) -> None:
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


GATE_FINDINGS_SHOWN = 20


def explain_gate(failing: Sequence[Finding], effective: EffectiveConfig, err: Console) -> None:
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


def warn_if_incomplete(result: ScanResult, err: Console) -> None:
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


def check_template_dir(directory: Path) -> None:
    if not directory.is_dir():
        raise UsageError(f"--template-dir {directory} is not a directory")
    try:
        check_templates(directory)
    except TemplateError as exc:
        where = (
            f" ({exc.filename}, line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        )
        raise UsageError(f"--template-dir {directory}: {exc.message}{where}") from exc
