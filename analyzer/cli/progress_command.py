"""``roadmap progress EARLIER.json [MORE.json ...] (PATH | NOW.json)``: the command line's side
of progress. It reads the reports (capped, as untrusted data), scans PATH with the same
configuration machinery as ``scan``, and writes the reports; the comparison itself is the
pure ``analyzer.progress`` package.

Exit codes as for ``scan``: 0; 1 when ``--fail-on-new`` finds new (or returning) debt that
severe; 2 usage error or a report that cannot be read; 3 ``--strict`` and the scan made
now (or NOW.json) is incomplete.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rich.console import Console

from analyzer.changes import ChangeError, changed_files
from analyzer.cli.commands import (
    _check_root,
    _effective_config,
    _load_rules,
    _scan,
    announce_configuration,
)
from analyzer.cli.errors import UsageError, say
from analyzer.cli.history import plan_history
from analyzer.cli.outputs import (
    OutputTarget,
    check_template_dir,
    check_writable,
    list_failing,
    parse_output_targets,
    summary_console,
    warn_if_incomplete,
    write_all_atomically,
    write_atomically,
)
from analyzer.cli.parser import PROGRESS_FORMATS
from analyzer.cli.progress_lines import lines_already_there
from analyzer.discover.history import no_history
from analyzer.gate import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from analyzer.model import PROJECT_PATH, SEVERITIES
from analyzer.planning.metrics.specs import load_metric_specs
from analyzer.progress.compare import compare_progress, order_reports, project_name, same_project
from analyzer.progress.export import render_progress_json
from analyzer.progress.markdown import render_progress_markdown
from analyzer.progress.outcome import Progress
from analyzer.progress.read import REPORT_LIMIT, ReportError, parse_report, snapshot_of
from analyzer.progress.snapshot import Comparison, PastFinding, Snapshot
from analyzer.progress.summary import print_progress, render_progress_text
from analyzer.render.encode import dump_json, for_terminal
from analyzer.render.json_report import build_report
from analyzer.report import Report, report_date, with_roadmap
from analyzer.rules import load_rulebook

_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


@dataclass(frozen=True, kw_only=True, slots=True)
class _Current:
    snapshot: Snapshot
    # Where reports may be written without following links: the scanned tree, or the
    # folder NOW.json is in.
    tree: Path
    strict: bool
    # Files of the plan's findings whose content is what it was at the plan's commit; None
    # when that cannot be told (a report given as NOW, no git, the commit not in the clone).
    unchanged_paths: frozenset[str] | None = None
    # Findings now whose line the file had at the plan's commit (see progress_lines).
    old_lines: frozenset[str] | None = None


def progress_command(args: argparse.Namespace, err: Console) -> int:
    targets = parse_output_targets(args.output, args.format, PROGRESS_FORMATS)
    for target in targets:
        check_writable(target.path)
    check_writable(args.save_report)
    if args.template_dir is not None:
        check_template_dir(args.template_dir)
    since = _parse_since(args.since)
    today = report_date(os.environ)
    earlier = order_reports([read_report_file(path) for path in args.earlier])
    current = _current(args, err, today, earlier[0])
    if not args.force:
        check_same_project(earlier, current.snapshot)
    progress = compare_progress(
        reports=earlier,
        now=current.snapshot,
        today=today,
        since=since,
        directions=_directions(args.rules_dir),
        grades=load_rulebook(tuple(args.rules_dir)).grades(),
        unchanged_paths=current.unchanged_paths,
        old_lines=current.old_lines,
    )
    _write(progress, targets, args, err, tree=current.tree)
    return _exit_code(progress, args.fail_on_new, current.strict, err)


def _parse_since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date (YYYY-MM-DD)") from None


def read_report_file(path: Path) -> Snapshot:
    """A JSON report, read as untrusted data: a regular file, at most ``REPORT_LIMIT``."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UsageError(f"cannot read {path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(REPORT_LIMIT + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > REPORT_LIMIT:
        raise UsageError(f"cannot read {path}: larger than {REPORT_LIMIT // 1048576} MiB")
    try:
        return parse_report(data, str(path))
    except ReportError as exc:
        raise UsageError(str(exc)) from exc


def _current(args: argparse.Namespace, err: Console, today: date, plan: Snapshot) -> _Current:
    path: Path = args.current
    if path.is_dir():
        current = _scan_now(path, args, err, today)
        known = plan.fingerprints
        unknown = [f for f in current.snapshot.findings if f.fingerprint not in known]
        return replace(
            current,
            unchanged_paths=unchanged_paths(path, plan),
            old_lines=lines_already_there(path, plan.commit, unknown),
        )
    if not path.exists():
        raise UsageError(f"{path} does not exist (give a directory to scan or a JSON report)")
    if args.save_report is not None:
        raise UsageError("--save-report needs a directory to scan, not a report")
    snapshot = read_report_file(path)
    return _Current(
        snapshot=snapshot, tree=Path(os.path.abspath(path)).parent, strict=bool(args.strict)
    )


def _scan_now(root: Path, args: argparse.Namespace, err: Console, today: date) -> _Current:
    _check_root(root)
    rules = _load_rules(args)
    effective = _effective_config(root, args, rules)
    announce_configuration(effective, err)
    result, _ = _scan(root, effective, rules, err, args)
    # The git history only reorders the plan by hotspots; read it only for a report kept.
    history = (
        plan_history(root, result, effective, args, {"json"})
        if args.save_report is not None
        else no_history("not read (roadmap progress)")
    )
    report = with_roadmap(
        Report(
            result=result,
            root_label=str(root),
            generated_on=today,
            rule_dirs=tuple(args.rules_dir),
        ),
        effective.plan,
        rule_dirs=args.rules_dir,
        history=history,
    )
    document = build_report(report)
    if args.save_report is not None:
        write_atomically(args.save_report, dump_json(document), tree=root)
        if not args.quiet:
            say(err, f"Wrote json report to {args.save_report}")
    warn_if_incomplete(result, err)
    snapshot = snapshot_of(document, str(root))
    if project_name(snapshot) is None:
        # Scanned as "." or "..": the folder's own name says which project this is.
        snapshot = replace(snapshot, root=os.path.basename(os.path.abspath(root)) or str(root))
    return _Current(snapshot=snapshot, tree=root, strict=effective.gate.strict)


def unchanged_paths(root: Path, plan: Snapshot) -> frozenset[str] | None:
    """Files of the plan's findings whose bytes are those of the plan's commit (through the
    hardened git runner; the commit comes from the report, so it must look like one)."""
    commit = plan.commit or ""
    if not _COMMIT.match(commit):
        return None
    candidates = sorted(
        {
            f.path
            for f in plan.findings
            if f.path != PROJECT_PATH and not _outside(f.path) and _is_file(root / f.path)
        }
    )
    try:
        changed = changed_files(root, commit, candidates)
    except ChangeError:
        return None
    return frozenset(candidates) - changed


def _is_file(path: Path) -> bool:
    # The path comes from the report: a name too long for the system is simply not a file.
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _outside(path: str) -> bool:
    return path.startswith("/") or ".." in path.split("/")


def check_same_project(earlier: Sequence[Snapshot], now: Snapshot) -> None:
    """A report of another project (another name, no finding in common) is refused: its
    recommendations would all look done and everything here new."""
    for report in earlier:
        if same_project(report, now):
            continue
        theirs, ours = project_name(report) or "unnamed", project_name(now) or "unnamed"
        raise UsageError(
            f"{report.source} looks like a report of another project ({theirs}, not {ours}: "
            f"no finding in common with {now.source}); pass --force to compare anyway"
        )


def _directions(rule_dirs: Sequence[Path]) -> Mapping[str, Comparison]:
    """Which way each bundled metric should go, for reports that do not say (before 1.2)."""
    return {spec.id: spec.target.comparison for spec in load_metric_specs(tuple(rule_dirs))}


def _write(
    progress: Progress,
    targets: Sequence[OutputTarget],
    args: argparse.Namespace,
    err: Console,
    *,
    tree: Path,
) -> None:
    texts = [(t.path, _render(progress, t.format, args)) for t in targets]
    write_all_atomically(texts, tree=tree)
    if not args.quiet:
        for target in targets:
            say(err, f"Wrote {target.format} report to {target.path}")
    written = {target.format for target in targets}
    if args.format == "text":
        if not args.quiet:
            print_progress(progress, summary_console())
    elif args.format not in written:
        sys.stdout.write(for_terminal(_render(progress, args.format, args), args.format))


def _render(progress: Progress, fmt: str, args: argparse.Namespace) -> str:
    if fmt == "json":
        return render_progress_json(progress)
    if fmt == "markdown":
        return render_progress_markdown(progress, args.template_dir)
    return render_progress_text(progress)


def _exit_code(progress: Progress, fail_on_new: str | None, strict: bool, err: Console) -> int:
    failing = _gating(progress, fail_on_new)
    if failing:
        _explain(failing, fail_on_new or "", err)
        return EXIT_FINDINGS
    if strict and not progress.now.scan_complete:
        return EXIT_INCOMPLETE
    return EXIT_OK


def _gating(progress: Progress, fail_on_new: str | None) -> tuple[PastFinding, ...]:
    if fail_on_new is None:
        return ()
    limit = SEVERITIES.index(fail_on_new)
    debt = progress.new_debt
    seen: set[str] = set()
    failing = []
    for finding in (*(item.finding for item in debt.findings), *debt.returning):
        if SEVERITIES.index(finding.severity) <= limit and finding.fingerprint not in seen:
            seen.add(finding.fingerprint)
            failing.append(finding)
    return tuple(failing)


def _explain(failing: Sequence[PastFinding], level: str, err: Console) -> None:
    noun = "finding" if len(failing) == 1 else "findings"
    say(err, f"roadmap: {len(failing)} new or returning {noun} at or above --fail-on-new {level}:")
    list_failing(failing, err)
