"""``roadmap merge --org``: several repositories' reports into one plan."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich.console import Console

from analyzer.cli.errors import UsageError
from analyzer.cli.outputs import OutputTarget
from analyzer.reports.read import ReadReport
from analyzer.rules import RuleBook


def org_command(
    args: argparse.Namespace,
    reports: Sequence[ReadReport],
    rules: RuleBook,
    targets: Sequence[OutputTarget],
    err: Console,
) -> int:
    raise UsageError("--org is not implemented yet")
