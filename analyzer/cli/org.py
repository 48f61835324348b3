"""``roadmap merge --org``: several repositories' reports into one plan.

Each report is a whole repository's scan (``roadmap scan -o json:...``, or the merge of its
shards), named ``NAME=FILE`` or by its project's name. Each repository is planned with the
``[tool.roadmap.plan]`` its scan recorded and the git history its roadmap weighed; the teams
come from ``--org-config``. The org roadmap plans; it does not gate (each repository's own
scan does), so it writes Markdown or JSON and always exits 0.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from rich.console import Console

from analyzer.cli.errors import UsageError, say
from analyzer.cli.outputs import OutputTarget, write_all_atomically
from analyzer.config import load_effective_config
from analyzer.planning.org import Repository, TeamSizes, plan_org
from analyzer.planning.org_config import OrgConfigError, load_team_sizes
from analyzer.planning.roadmap import load_planning
from analyzer.planning.settings import PlanSettings
from analyzer.render.encode import for_terminal
from analyzer.render.text import plural
from analyzer.report import OrgReport, report_date
from analyzer.reports.read import ReadReport, read_report_file
from analyzer.rules import RuleBook, known_rules

ORG_FORMATS = ("markdown", "json")
# A name becomes a path prefix and a Markdown heading: a plain word, never a path.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Flags about one scan's findings (gating, baselines): meaningless across repositories.
_SCAN_ONLY = (("fail_on", "--fail-on"), ("strict", "--strict"), ("baseline", "--baseline"))


def org_command(
    args: argparse.Namespace, rules: RuleBook, targets: Sequence[OutputTarget], err: Console
) -> int:
    _check_flags(args, targets)
    named = [_named(entry) for entry in args.reports]
    if len(named) < 2:
        raise UsageError("roadmap merge --org plans several repositories: give two reports or more")
    read = [(name, read_report_file(path)) for name, path in named]
    for _, one in read:
        _refuse_shard(one)
    reports = _names(read)
    repositories = _repositories(reports, rules)
    planning = load_planning(tuple(args.rules_dir))
    sizes = _sizes(args.org_config, [r.name for r in repositories])
    plan = plan_org(repositories, planning, sizes)
    report = OrgReport(
        plan=plan,
        root_labels={name: read.root_label for name, read in reports},
        generated_on=report_date(os.environ),
        template_dir=args.template_dir,
        rule_dirs=tuple(args.rules_dir),
    )
    texts = [(target.path, render_org(report, target.format)) for target in targets]
    write_all_atomically(texts, tree=Path.cwd())
    if not targets:
        fmt = args.format if args.format in ORG_FORMATS else "markdown"
        print(for_terminal(render_org(report, fmt), fmt), end="")
    if not args.quiet:
        for target in targets:
            say(err, f"Wrote {target.format} org roadmap to {target.path}")
        scheduled = len(plan.recommendations) - len(plan.backlog)
        say(
            err,
            f"roadmap: planned {plural(len(repositories), 'repository', 'repositories')} together: "
            f"{plural(scheduled, 'pull request')} in {plural(plan.total_weeks, 'week')}, "
            f"{len(plan.backlog)} in the backlog",
        )
    return 0


def render_org(report: OrgReport, fmt: str) -> str:
    if fmt == "json":
        from analyzer.render.org_json import render_org_json

        return render_org_json(report)
    from analyzer.render.org_view import render_org_markdown

    return render_org_markdown(report)


def _check_flags(args: argparse.Namespace, targets: Sequence[OutputTarget]) -> None:
    for attribute, flag in _SCAN_ONLY:
        if getattr(args, attribute, None) not in (None, False):
            raise UsageError(
                f"{flag} gates one scan's findings: give it to each repository's own scan, "
                "not to roadmap merge --org"
            )
    for fmt in {t.format for t in targets} | ({args.format} if args.format != "text" else set()):
        if fmt not in ORG_FORMATS:
            raise UsageError(
                f"roadmap merge --org writes {' or '.join(ORG_FORMATS)}, not {fmt}: the "
                "other formats report one repository's findings"
            )


def _named(entry: str) -> tuple[str | None, Path]:
    """``NAME=FILE`` or ``FILE`` (named later, after its project)."""
    name, separator, path = entry.partition("=")
    if separator and _NAME.match(name) and not Path(entry).is_file():
        return name, Path(path)
    return None, Path(entry)


def _names(reports: Sequence[tuple[str | None, ReadReport]]) -> list[tuple[str, ReadReport]]:
    named = []
    for name, read in reports:
        chosen = name or _default_name(read)
        if not _NAME.match(chosen):
            raise UsageError(
                f"{read.source}: cannot name its repository {chosen!r}: name it NAME={read.source}"
                " (letters, digits, '.', '_', '-')"
            )
        named.append((chosen, read))
    seen: dict[str, str] = {}
    for chosen, read in named:
        if chosen in seen:
            raise UsageError(
                f"{seen[chosen]} and {read.source} are both named {chosen!r}: name them NAME=FILE"
            )
        seen[chosen] = read.source
    return named


def _default_name(read: ReadReport) -> str:
    label = PurePosixPath(read.root_label.replace("\\", "/")).name
    if label in ("", ".", ".."):
        label = read.result.target.name or ""
    return label or read.result.target.name or PurePosixPath(read.source).stem


def _repositories(reports: Sequence[tuple[str, ReadReport]], rules: RuleBook) -> list[Repository]:
    repositories = []
    for name, read in reports:
        repositories.append(
            Repository(
                name=name,
                result=read.result,
                history=read.history,
                settings=_settings(read, rules),
            )
        )
    return repositories


def _refuse_shard(read: ReadReport) -> None:
    part = read.result.shard
    if part is not None:
        raise UsageError(
            f"{read.source} is shard {part.index}/{part.count} of a scan: merge its shards "
            "first (roadmap merge), then plan the merged report"
        )


def _settings(read: ReadReport, rules: RuleBook) -> PlanSettings | None:
    """The ``[tool.roadmap.plan]`` the repository's scan recorded; None for the defaults."""
    identity = read.result.identity
    if identity is None:
        return None
    effective = load_effective_config(
        identity.config, f"{read.source}: scan.config", {}, known_tools=known_rules(rules)
    )
    return effective.plan


def _sizes(path: Path | None, names: Sequence[str]) -> TeamSizes:
    if path is None:
        return TeamSizes()
    try:
        return load_team_sizes(path, names)
    except OrgConfigError as exc:
        raise UsageError(str(exc)) from exc
