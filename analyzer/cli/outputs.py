"""What the command line writes: reports (atomically, several from one scan), and why a
scan failed its gate or is incomplete."""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rich.console import Console

from analyzer.cli.errors import UsageError, say
from analyzer.completeness import assess_completeness
from analyzer.config import EffectiveConfig
from analyzer.model import Finding, ScanResult
from analyzer.render import FORMATS, render
from analyzer.render.encode import for_terminal
from analyzer.render.json_report import build_report
from analyzer.render.sarif import MAX_RESULTS, select_results
from analyzer.render.statistics import render_statistics
from analyzer.render.text import print_summary
from analyzer.report import Report


@dataclass(frozen=True, kw_only=True, slots=True)
class OutputTarget:
    format: str
    path: Path


_FORMAT_PREFIX = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_-]+):(?P<path>.*)$", re.DOTALL)


def parse_output_targets(
    values: Sequence[str], default_format: str, formats: Collection[str] = tuple(FORMATS)
) -> list[OutputTarget]:
    """``-o PATH`` (at most one, in ``--format``) and any number of ``-o FORMAT:PATH``.

    A word before the first colon is a format: an unknown one (``xml:``, a typo such as
    ``sarfi:``) is a usage error rather than a file of that odd name; ``./xml:a`` is a path.
    """
    targets = [_output_target(value, default_format, formats) for value in values]
    plain = [v for v, t in zip(values, targets, strict=True) if not _FORMAT_PREFIX.match(v)]
    if len(plain) > 1:
        raise UsageError(
            f"-o/--output without a FORMAT: prefix may be given once, got {', '.join(plain)}"
        )
    paths = [Path(os.path.realpath(t.path)) for t in targets]
    if len(set(paths)) != len(paths):
        raise UsageError("two reports would be written to the same file")
    return targets


def _output_target(value: str, default_format: str, formats: Collection[str]) -> OutputTarget:
    if not value:
        raise UsageError("-o/--output needs a path")
    match = _FORMAT_PREFIX.match(value)
    if match is None:
        return OutputTarget(format=default_format, path=Path(value))
    name, path = match.group("name"), match.group("path")
    if name not in formats:
        raise UsageError(
            f"-o {value!r}: unknown report format {name!r} (formats: {', '.join(formats)}); "
            f"for a file of that name write ./{value}"
        )
    if not path:
        raise UsageError(f"-o {value!r}: the {name} report needs a path after the colon")
    return OutputTarget(format=name, path=Path(path))


# Formats meant for people reading a terminal or a CI log; --statistics takes their place.
_LISTINGS = ("text", "concise")


def stdout_format(args: argparse.Namespace, targets: Sequence[OutputTarget]) -> str | None:
    """The report that goes to stdout: ``--format`` unless a ``-o`` writes it to a file
    (the text summary is shown anyway, unless ``--quiet``)."""
    if args.format == "text":
        return None if args.quiet else "text"
    return None if any(t.format == args.format for t in targets) else args.format


def check_statistics(args: argparse.Namespace, targets: Sequence[OutputTarget]) -> None:
    shown = stdout_format(args, targets)
    if getattr(args, "statistics", False) and shown not in (None, *_LISTINGS):
        raise UsageError(
            f"--statistics prints to stdout, where the {shown} report would go; "
            f"write that report to a file with -o {shown}:PATH"
        )


def write_reports(
    report: Report,
    targets: Sequence[OutputTarget],
    args: argparse.Namespace,
    err: Console,
    *,
    tree: Path,
    summary: bool = True,
) -> None:
    """Write every report; then, on stdout, the summary (unless ``summary`` is false) or
    the ``--format`` report that no ``-o`` took."""
    # Render everything, then write every report to a temporary file, then rename them all:
    # a template that fails, or a disk that fills, leaves no report new and another stale.
    texts = [(target.path, render(report, target.format)) for target in targets]
    write_all_atomically(texts, tree=tree)
    if not args.quiet:
        for target in targets:
            say(err, f"Wrote {target.format} report to {target.path}")
    shown = stdout_format(args, targets)
    if shown == "text" and not summary:
        shown = None
    if "sarif" in (shown, *(t.format for t in targets)):
        warn_if_sarif_truncated(report, err)
    if getattr(args, "statistics", False):
        sys.stdout.write(render_statistics(report))
    elif shown == "text":
        print_summary(build_report(report), summary_console())
    elif shown is not None:
        sys.stdout.write(for_terminal(render(report, shown), shown))


def summary_console() -> Console:
    """The summary's console: the terminal's width on a terminal; elsewhere (a CI log, a
    file) lines are not wrapped at 80 columns."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=_UNWRAPPED, soft_wrap=True)


_UNWRAPPED = 1000


def warn_if_sarif_truncated(report: Report, err: Console) -> None:
    selection = select_results(report)
    if not selection.omitted:
        return
    detail = ", ".join(f"{n:,} {severity}" for severity, n in selection.omitted.items())
    say(
        err,
        f"roadmap: warning: the SARIF report holds the {MAX_RESULTS:,} most severe findings; "
        f"{selection.omitted_count:,} were left out ({detail}); the JSON report has them all",
    )


def check_writable(output: Path | None) -> None:
    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a directory")
    if _is_special(output):
        if not os.access(output, os.W_OK):
            raise UsageError(f"cannot write {output}: permission denied")
        return
    parent = Path(os.path.realpath(output)).parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {output}: {parent} is not a writable directory")


def write_atomically(path: Path, text: str, *, tree: Path) -> None:
    """Write next to the target and rename, so a crash never leaves a truncated report."""
    write_all_atomically([(path, text)], tree=tree)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Destination:
    path: Path
    # An existing device or FIFO outside the scanned tree: written in place, never replaced.
    in_place: bool


def write_all_atomically(texts: Sequence[tuple[Path, str]], *, tree: Path) -> None:
    """Each text to its path: through a temporary file and a rename, all renamed only once
    all are written, so an error (disk full) leaves every previous report as it was and is
    a ``UsageError``.

    Inside the scanned ``tree`` nothing the tree holds is followed: a symlink (or a FIFO) at
    the path is replaced, and a folder on the way that links out of the tree is refused.
    Elsewhere the path is the user's own: links are followed, and a device or FIFO
    (``/dev/null``, ``/dev/stdout``) is written in place.
    """
    staged: list[tuple[str, Path]] = []
    current = Path()
    try:
        destinations = [(_destination(path, tree), text) for path, text in texts]
        for destination, text in destinations:
            current = destination.path
            if not destination.in_place:
                staged.append((_stage(destination.path, text), destination.path))
        for destination, text in destinations:
            current = destination.path
            if destination.in_place:
                _write_in_place(destination.path, text)
        for temporary, final in staged:
            current = final
            os.replace(temporary, final)
    except OSError as exc:
        raise UsageError(f"cannot write {current}: {exc.strerror or exc}") from exc
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)


def _destination(path: Path, tree: Path) -> _Destination:
    absolute = Path(os.path.abspath(path))
    real_tree = Path(os.path.realpath(tree))
    parent = Path(os.path.realpath(absolute.parent))
    if absolute.is_relative_to(Path(os.path.abspath(tree))) or parent.is_relative_to(real_tree):
        if not parent.is_relative_to(real_tree):
            raise UsageError(
                f"refusing to write {path}: a folder on its way is a symlink out of the "
                "scanned tree"
            )
        return _Destination(path=parent / absolute.name, in_place=False)
    if _is_special(absolute):
        return _Destination(path=absolute, in_place=True)
    return _Destination(path=Path(os.path.realpath(absolute)), in_place=False)


def _stage(final: Path, text: str) -> str:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp creates the file 0600; a report is an ordinary, shareable file.
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _is_special(path: Path) -> bool:
    """An existing path that is not a regular file: a device, a FIFO, a socket."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


GATE_FINDINGS_SHOWN = 20


def explain_gate(failing: Sequence[Finding], effective: EffectiveConfig, err: Console) -> None:
    """Why the scan fails, on stderr, even with --quiet: a red CI job must say what it saw."""
    if not failing:
        return
    new = " new" if any(f.baseline_status == "new" for f in failing) else ""
    noun = "finding" if len(failing) == 1 else "findings"
    say(err, f"roadmap: {len(failing)}{new} {noun} at or above --fail-on {effective.gate.fail_on}:")
    list_failing(failing, err)


class Listed(Protocol):
    """What a gate line shows of a finding, now or from an earlier report."""

    @property
    def severity(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def message(self) -> str: ...


def list_failing(failing: Sequence[Listed], err: Console) -> None:
    """The first findings that fail a gate, one line each (escaped by ``say``)."""
    for finding in failing[:GATE_FINDINGS_SHOWN]:
        say(
            err,
            f"  {finding.severity} {finding.path}:{finding.line} {finding.rule_id} "
            f"{finding.message}",
        )
    if len(failing) > GATE_FINDINGS_SHOWN:
        say(err, f"  ... and {len(failing) - GATE_FINDINGS_SHOWN} more")


def warn_if_incomplete(result: ScanResult, err: Console) -> None:
    completeness = assess_completeness(result)
    if completeness.complete:
        return
    say(
        err,
        f"roadmap: warning: the scan is incomplete ({completeness.describe()}); "
        "--strict makes this exit 3",
    )


def check_template_dir(directory: Path) -> None:
    if not directory.is_dir():
        raise UsageError(f"--template-dir {directory} is not a directory")
    from jinja2 import TemplateError, TemplateSyntaxError

    from analyzer.render.markdown import check_templates

    try:
        check_templates(directory)
    except TemplateError as exc:
        where = (
            f" ({exc.filename}, line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        )
        raise UsageError(f"--template-dir {directory}: {exc.message}{where}") from exc
