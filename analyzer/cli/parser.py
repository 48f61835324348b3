"""The ``roadmap`` command line's arguments: subcommands, options and their help."""

from __future__ import annotations

import argparse
from pathlib import Path

from analyzer import __version__
from analyzer.cli.baselines import DEFAULT_BASELINE
from analyzer.render import FORMATS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roadmap",
        description="Scan a Python repository and plan its improvement as pull requests.",
    )
    parser.add_argument("--version", action="version", version=f"roadmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    options = config_options()
    scan = commands.add_parser(
        "scan", parents=[options], help="scan a repository and report findings"
    )
    scan.add_argument("path", type=Path, help="the repository (a directory) to scan")
    add_scan_arguments(scan)
    baseline = commands.add_parser("baseline", help="record the current findings as accepted")
    baseline_commands = baseline.add_subparsers(
        dest="baseline_command", required=True, metavar="ACTION"
    )
    create = baseline_commands.add_parser("create", parents=[options], help="write a baseline file")
    create.add_argument("path", type=Path, help="the repository (a directory) to scan")
    create.add_argument(
        "--output",
        "-o",
        type=Path,
        help=f"the baseline file (default: the configured one, else PATH/{DEFAULT_BASELINE})",
    )
    create.add_argument("--quiet", "-q", action="store_true", help="no progress")
    config = commands.add_parser(
        "config", parents=[options], help="print the effective configuration"
    )
    config.add_argument(
        "path", type=Path, help="the repository (a directory) whose pyproject.toml to read"
    )
    hook = commands.add_parser(
        "hook",
        parents=[options],
        help="the pre-commit hook: scan the repository here, report and gate the files named",
    )
    hook.add_argument("files", nargs="*", help="files to report on (default: all)")
    hook.set_defaults(
        format="text",
        output=[],
        update_baseline=False,
        changed_since=None,
        quiet=True,
        statistics=False,
        sarif_include_suppressed=False,
        template_dir=None,
    )
    add_progress_parser(commands)
    add_merge_command(commands)
    cache = commands.add_parser("cache", help="the result cache: where it is, its size; clear it")
    cache.add_argument("action", choices=("info", "clear"), help="info (default) or clear")
    listing = commands.add_parser(
        "analyzers", help="list installed analyzers, their tool versions, enabled or not"
    )
    listing.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("."),
        help="whose [tool.roadmap] decides what is enabled (default: the current directory)",
    )
    return parser


def config_options(*, gate: bool = True) -> argparse.ArgumentParser:
    """Flags that override ``[tool.roadmap]``; shared by scan, baseline create, config and
    (without ``--fail-on`` and ``--baseline``, ``gate=False``) progress."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("configuration (overrides [tool.roadmap] in pyproject.toml)")
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--isolated",
        action="store_true",
        help="ignore the scanned project's [tool.roadmap]: defaults and flags only "
        "(for untrusted code in CI)",
    )
    source.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read [tool.roadmap] from this trusted file instead of the project's pyproject.toml",
    )
    group.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only scan matching files"
    )
    group.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip matching files"
    )
    group.add_argument(
        "--disable", action="append", default=[], metavar="ANALYZER", help="do not run an analyzer"
    )
    group.add_argument(
        "--select",
        "--only",
        action="append",
        default=[],
        metavar="ANALYZER[,...]",
        help="run only these analyzers (names from `roadmap analyzers`); repeatable",
    )
    group.add_argument(
        "--min-severity",
        "--severity-level",
        choices=("high", "medium", "low", "info"),
        help="show only findings this severe or more; the rest are suppressed and counted",
    )
    group.add_argument(
        "--disable-rule",
        action="append",
        default=[],
        metavar="RULE",
        help="suppress a rule (bandit.B101, or the code alone: B101)",
    )
    if gate:
        group.add_argument(
            "--fail-on",
            choices=("high", "medium", "low", "none"),
            help="exit 1 on findings this severe",
        )
    group.add_argument(
        "--strict", action="store_true", default=None, help="exit 3 if the scan was incomplete"
    )
    if gate:
        group.add_argument(
            "--baseline", metavar="FILE", help="only findings not in this baseline count as new"
        )
    else:
        options.set_defaults(fail_on=None, baseline=None)
    group.add_argument(
        "--jobs", "-j", type=positive_int, help="worker processes (default: CPU count)"
    )
    group.add_argument(
        "--timeout", type=float, help="seconds each analyzer may run (default: 1800)"
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help="analyze every file afresh; read and write no cached results",
    )
    group.add_argument(
        "--rules-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="TOML files here override the bundled rules/ (tool rules, recommendations, "
        "planning, metrics); repeatable",
    )
    return options


def add_scan_arguments(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--format",
        "-f",
        choices=sorted(FORMATS),
        default="text",
        help="report format (default: text; concise: path:line:col: RULE message; "
        "github: workflow-command annotations)",
    )
    add_output_option(scan)
    scan.add_argument(
        "--update-baseline", action="store_true", help="drop fixed findings from the baseline"
    )
    scan.add_argument(
        "--changed-since", metavar="REV", help="report only findings in files changed since REV"
    )
    scan.add_argument(
        "--no-history",
        action="store_true",
        help="do not read the git history (no hotspots in the roadmap)",
    )
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    scan.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule has, instead of the summary or listing",
    )
    scan.add_argument(
        "--sarif-include-suppressed",
        action="store_true",
        help="list suppressed findings in SARIF too (left out by default: GitHub counts them "
        "against its limit)",
    )
    scan.add_argument(
        "--template-dir",
        type=Path,
        metavar="DIR",
        help="Markdown templates that override the bundled ones",
    )
    scan.add_argument(
        "--shard",
        metavar="K/N",
        help="analyze only shard K of N (files split by a hash of their path) and write its "
        "part as JSON for `roadmap merge`",
    )
    scan.add_argument(
        "--whole-program-shard",
        metavar="K|all",
        help="the shard that runs the whole-program analyzers (mypy, infrastructure; "
        "default 1), or all: every shard, each reporting its own files",
    )


def add_progress_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    progress = commands.add_parser(
        "progress",
        parents=[config_options(gate=False)],
        help="compare a scan (or a later report) with the JSON report its roadmap came from",
        description="Which recommendations of an earlier report are done, in progress or not "
        "started; ahead of or behind its schedule; how its metrics moved; what debt is new.",
    )
    progress.add_argument(
        "earlier",
        nargs="+",
        type=Path,
        metavar="EARLIER.json",
        help="the JSON report the roadmap came from (roadmap scan -f json); more reports, "
        "taken after it, add points to the burn-down",
    )
    progress.add_argument(
        "current",
        type=Path,
        metavar="PATH|NOW.json",
        help="the repository to scan now, or a later JSON report to compare with",
    )
    progress.add_argument(
        "--format",
        "-f",
        choices=PROGRESS_FORMATS,
        default="text",
        help="report format (default: text, a one-screen summary)",
    )
    add_output_option(progress)
    progress.add_argument(
        "--fail-on-new",
        choices=("high", "medium", "low", "info"),
        help="exit 1 when a finding new since the earlier report (or fixed and back) is "
        "this severe or more",
    )
    progress.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="the day the earlier report's plan started (reports before schema 1.2 carry no date)",
    )
    progress.add_argument(
        "--force",
        action="store_true",
        help="compare even a report that looks like another project's",
    )
    progress.add_argument(
        "--save-report",
        type=Path,
        metavar="FILE",
        help="also write the JSON report of the scan made now (PATH only), for the next "
        "progress run's burn-down",
    )
    progress.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    progress.add_argument(
        "--template-dir",
        type=Path,
        metavar="DIR",
        help="Markdown templates that override the bundled ones",
    )


# The formats roadmap progress writes.
PROGRESS_FORMATS = ("text", "markdown", "json")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_merge_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    merge = commands.add_parser(
        "merge",
        help="merge shards' JSON reports into one report (--org: repositories into one plan)",
        description="Merge the JSON reports of `roadmap scan --shard K/N` into the report the "
        "unsharded scan would have written, in any format; with --org, plan several "
        "repositories' reports as one roadmap.",
    )
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="JSON reports to merge")
    merge.add_argument(
        "--org",
        action="store_true",
        help="the reports are whole repositories (NAME=FILE names one): plan them together",
    )
    merge.add_argument(
        "--org-config",
        type=Path,
        metavar="FILE",
        help="with --org: the team, pooled ([plan]) or per repository ([repositories.NAME])",
    )
    merge.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="the checkout the shards scanned (default: the current directory); the joins, "
        "the git history and SARIF's line hashes read it",
    )
    merge.add_argument(
        "--format",
        "-f",
        choices=sorted(FORMATS),
        default="text",
        help="report format (default: text)",
    )
    add_output_option(merge)
    merge.add_argument(
        "--fail-on",
        choices=("high", "medium", "low", "none"),
        help="exit 1 on findings this severe (default: the shards' configuration)",
    )
    merge.add_argument(
        "--strict", action="store_true", default=None, help="exit 3 if the scan was incomplete"
    )
    merge.add_argument(
        "--baseline", metavar="FILE", help="only findings not in this baseline count as new"
    )
    merge.add_argument(
        "--jobs", "-j", type=positive_int, help="worker processes for the joins (default: CPUs)"
    )
    merge.add_argument("--timeout", type=float, help="seconds each join may run")
    merge.add_argument("--no-cache", action="store_true", help="read and write no cached results")
    merge.add_argument(
        "--no-history", action="store_true", help="do not read the git history (no hotspots)"
    )
    merge.add_argument(
        "--rules-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="the --rules-dir folders the shards were scanned with (repeatable)",
    )
    merge.add_argument(
        "--template-dir", type=Path, metavar="DIR", help="Markdown templates that override"
    )
    merge.add_argument(
        "--sarif-include-suppressed", action="store_true", help="list suppressed findings in SARIF"
    )
    merge.add_argument("--quiet", "-q", action="store_true", help="no summary")
    merge.set_defaults(update_baseline=False, statistics=False, changed_since=None)


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """``-o [FORMAT:]PATH``, repeatable: several reports from one run."""
    parser.add_argument(
        "--output",
        "-o",
        action="append",
        default=[],
        metavar="[FORMAT:]PATH",
        help="write a report to PATH; FORMAT:PATH (repeatable) writes one per format, "
        "a bare PATH writes --format",
    )
