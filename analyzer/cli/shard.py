"""``roadmap scan --shard K/N``: one CI job's part of a scan, written as JSON for ``roadmap
merge``. A shard neither plans nor gates: only the merge sees the whole project."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich.console import Console

from analyzer.cli.errors import UsageError, say
from analyzer.cli.outputs import OutputTarget
from analyzer.model import ScanResult
from analyzer.render.text import plural
from analyzer.sharding import Shard, ShardError, parse_shard

# Options that belong to the merge, which sees the whole scan.
_MERGE_ONLY = (
    ("fail_on", "--fail-on"),
    ("strict", "--strict"),
    ("baseline", "--baseline"),
    ("update_baseline", "--update-baseline"),
    ("changed_since", "--changed-since"),
    ("statistics", "--statistics"),
    ("template_dir", "--template-dir"),
)


def shard_option(args: argparse.Namespace, targets: Sequence[OutputTarget]) -> Shard | None:
    """The ``--shard`` the scan runs, checked against the other options; None without it."""
    given = getattr(args, "shard", None)
    whole = getattr(args, "whole_program_shard", None)
    if given is None:
        if whole is not None:
            raise UsageError("--whole-program-shard needs --shard K/N")
        return None
    try:
        shard = parse_shard(given, whole)
    except ShardError as exc:
        raise UsageError(str(exc)) from exc
    for attribute, flag in _MERGE_ONLY:
        if getattr(args, attribute, None) not in (None, False, []):
            raise UsageError(
                f"{flag} applies to the whole scan: give it to roadmap merge, not to a shard"
            )
    formats = {t.format for t in targets} | ({args.format} if args.format != "text" else set())
    if formats != {"json"}:
        raise UsageError(
            "a shard writes its part as JSON for roadmap merge: use -o json:shard-"
            f"{shard.index}.json (merge renders the other formats)"
        )
    return shard


def announce_shard(result: ScanResult, err: Console) -> None:
    """One line instead of the summary: a shard's findings are only part of the picture."""
    part = result.shard
    if part is None:
        return
    joins = ", ".join(join.analyzer for join in part.joins)
    left = f"; joins for merge: {joins}" if joins else ""
    say(
        err,
        f"roadmap: shard {part.index}/{part.count}: "
        f"{plural(result.target.files_scanned, 'file')}, "
        f"{plural(len(result.findings), 'finding')}{left}",
    )
